import {
  type Article,
  type Citation,
  type Fact,
  type Incident,
  POSTMORTEM_FIELDS,
  type Postmortem,
  emptyPostmortem,
} from '../../../schemas/index.ts';
import type { CallContext } from '../backend.ts';
import { type Passage, renderPassages } from './articles.ts';
import { planBatches } from './chunking.ts';
import type { Engine } from './engine.ts';
import { askGrounded } from './grounded.ts';
import { askStructured } from './reask.ts';
import type { ExtractAnswer } from './schemas.ts';
import { scopeLine } from './scope.ts';

const citeKey = (c: Citation) => `${c.articleId}:${c.start}:${c.end}`;
function uniqueCitations(cs: readonly Citation[]): Citation[] {
  const seen = new Set<string>();
  return cs.filter((c) => {
    if (seen.has(citeKey(c))) return false;
    seen.add(citeKey(c));
    return true;
  });
}

/** One call's postmortem, its facts holding only verified citations; a fact left without one is dropped. */
async function extractBatch(e: Engine, batch: Passage[], scope: string, examples: string, ctx: CallContext): Promise<Postmortem> {
  const messages = e.messages('extract', { scope, examples, articles: renderPassages(batch) });
  const g = await askGrounded(e.chat, messages, e.spec('extract'), batch, ctx, {
    maxReasks: e.s.maxReasks,
    unsupported: (v: ExtractAnswer, verified) =>
      POSTMORTEM_FIELDS.flatMap((f) => v[f].map((fact, i) => ({ fact, i, f })))
        .filter(({ fact }) => !fact.evidence.some(verified))
        .map(({ fact, i, f }) => `${f}[${i}]: "${fact.text}"`),
  });
  const pm = emptyPostmortem(g.value.title.trim());
  pm.summary = g.value.summary.trim();
  let unsupported = 0;
  for (const f of POSTMORTEM_FIELDS) {
    const facts = g.value[f].map(
      (fact): Fact => ({
        text: fact.text.trim(),
        citations: uniqueCitations(fact.evidence.map(g.citationOf).filter((c): c is Citation => c !== null)),
      }),
    );
    pm[f] = facts.filter((fact) => fact.citations.length > 0);
    unsupported += facts.length - pm[f].length;
  }
  ctx.quoteChecks.recordQuoteCheck({ runId: ctx.runId, stage: 'extract', subject: ctx.subject, ...g.stats, unsupported });
  return pm;
}

/**
 * Partial postmortems become one: the model groups facts by id, and each merged fact keeps the
 * verified citations of the facts it rests on, so citations stay on their original offsets. A
 * partial fact the merge leaves out is kept as it is: only duplicates may disappear.
 */
async function mergePartials(e: Engine, partials: Postmortem[], ctx: CallContext): Promise<Postmortem> {
  const byId = new Map<string, { field: (typeof POSTMORTEM_FIELDS)[number]; fact: Fact }>();
  const listing = partials.map((pm, i) => ({
    part: i + 1,
    title: pm.title,
    summary: pm.summary,
    facts: Object.fromEntries(
      POSTMORTEM_FIELDS.map((field) => [
        field,
        pm[field].map((fact) => {
          const id = `F${byId.size + 1}`;
          byId.set(id, { field, fact });
          return { id, text: fact.text };
        }),
      ]),
    ),
  }));
  const { value } = await askStructured(
    e.chat,
    e.messages('extract-merge', { partials: JSON.stringify({ partials: listing }, null, 1) }),
    e.spec('merge'),
    ctx,
    e.s.maxReasks,
  );
  const pm = emptyPostmortem(value.title.trim());
  pm.summary = value.summary.trim();
  const used = new Set<string>();
  for (const field of POSTMORTEM_FIELDS) {
    for (const m of value[field]) {
      const ids = m.factIds.map((x) => x.trim()).filter((id) => byId.has(id));
      const citations = uniqueCitations(ids.flatMap((id) => byId.get(id)!.fact.citations));
      if (!citations.length) continue;
      ids.forEach((id) => used.add(id));
      pm[field].push({ text: m.text.trim(), citations });
    }
  }
  for (const [id, { field, fact }] of byId) if (!used.has(id)) pm[field].push(fact);
  return pm;
}

/** All fields in one call when the articles fit the budget; otherwise map over parts and merge. */
export async function extractIncident(e: Engine, incident: Incident, articles: Article[], ctx: CallContext): Promise<Postmortem> {
  const examples = e.examplesFor('extract', incident, articles);
  const batches = await planBatches(articles, e.articleBudget('extract', examples), e.count);
  const partials = await Promise.all(batches.map((b, i) => extractBatch(e, b, scopeLine(b, i, batches.length, articles), examples, ctx)));
  return partials.length === 1 ? partials[0] : mergePartials(e, partials, ctx);
}
