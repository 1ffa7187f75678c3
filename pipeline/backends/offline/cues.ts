import { type Cue, cues } from './evidence.ts';
import { TUNING, type CuesFile } from './tuning.ts';

/**
 * The cue lists as the backend uses them, built from the tuning files (tuning/cues.json and
 * tuning/lexicons.json): written from how news reports failures in general and from the taxonomy's
 * definitions. They name no outlet, company or incident.
 */
type Groups = CuesFile['failure'];

/** "@name" in a pattern list stands for a shared set (which may itself name others). */
function expand(patterns: readonly string[], sets: Record<string, string[]>, seen: readonly string[] = []): string[] {
  return patterns.flatMap((p) => {
    if (!p.startsWith('@')) return [p];
    const name = p.slice(1);
    const set = sets[name];
    if (!set) throw new Error(`${TUNING.dir}/lexicons.json: unknown shared set "${p}"`);
    if (seen.includes(name)) throw new Error(`${TUNING.dir}/lexicons.json: shared set "${p}" refers to itself`);
    return expand(set, sets, [...seen, name]);
  });
}

const build = (groups: Groups, sets: Record<string, string[]> = {}): Cue[] =>
  groups.flatMap((g) => cues(g.weight, ...expand(g.patterns, sets)));

const perOption = (only: (g: Groups[number]) => boolean): Record<string, Record<string, Cue[]>> =>
  Object.fromEntries(
    Object.entries(lex.options).map(([dim, opts]) => [
      dim,
      Object.fromEntries(Object.entries(opts).map(([o, g]) => [o, build(g.filter(only), lex.sets)])),
    ]),
  );

const c = TUNING.cues;
const lex = TUNING.lexicons;
/** Words that report something going wrong. */
export const FAILURE = build(c.failure);
/** Words that put software, computers or networks in the story. */
export const SOFTWARE = build(c.software);
/** Words that can only mean software, computers or networks. */
export const SOFTWARE_STRICT = build(c.softwareStrict);
/** Cause and impact mentions: an article naming both can be analysed. */
export const CAUSE = build(c.cause);
export const IMPACT = build(c.impact);
/** Not failure reports: opinion, reviews, launches, which borrow failure words loosely. */
export const NON_REPORT = build(c.nonReport);
/** Writing about failures in general rather than about one (studies, advice, forecasts). */
export const GENERAL = build(c.general);
/** Per postmortem field: which sentences carry that kind of fact. */
export const FIELD_CUES = Object.fromEntries(Object.entries(c.fields).map(([k, v]) => [k, build(v)])) as Record<
  keyof CuesFile['fields'],
  Cue[]
>;

/** Who acted, for the who-acted features: people at the organisation, or attackers. */
export const AGENTS = { staff: build(lex.agents.staff, lex.sets), attacker: build(lex.agents.attacker, lex.sets) };
/** Per taxonomy dimension and option key: the cues that speak for the option. */
export const LEXICONS = perOption(() => true);
/** Of those, the cues that state the option, so that a sentence carrying one may be quoted for it. */
export const STATING = perOption((g) => g.quote !== false);
