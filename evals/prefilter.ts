import type { PrefilterDecision } from '../schemas/index.ts';
import { type GoldSet, goldClusterOf } from './gold.ts';

/** What the offline pre-filter saved and what it cost, on the articles and same-incident decisions of a gold set. */
export interface PrefilterScores {
  screen: {
    decisions: number;
    /** Settled without a call: as not a failure report, and as one. */
    settledNo: number;
    settledYes: number;
    callsSaved: number;
    /** Gold failure reports the pre-filter settled as not failures, and their share of the gold failures. */
    goldFailures: number;
    lost: number;
    recallLost: number | null;
    /** Gold non-failures it settled as failures. */
    wrongYes: number;
  } | null;
  group: {
    decisions: number;
    settled: number;
    callsSaved: number;
    /** Decisions whose article belongs with the incident in the gold (the incident's most common gold cluster). */
    goldSame: number;
    /** Of those, settled apart without a call; and settled joins the gold keeps apart. */
    lost: number;
    recallLost: number | null;
    wrongJoins: number;
  } | null;
}

const share = (n: number, of: number) => (of ? n / of : null);

function mostCommon(xs: readonly (string | null)[]): string | null {
  const n = new Map<string, number>();
  for (const x of xs) if (x) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

/** Scores the decisions a run recorded (screening: each article's latest; same-incident: the stage-alone run's) against the gold. */
export function prefilterScores(gold: GoldSet, screen: readonly PrefilterDecision[], group: readonly PrefilterDecision[]): PrefilterScores {
  const byId = new Map(gold.articles.map((a) => [a.id, a]));
  const mine = screen.filter((d) => byId.has(d.subject));
  const failures = new Set(gold.articles.filter((a) => a.gold.isFailure === true).map((a) => a.id));
  const no = mine.filter((d) => d.settled && d.answer === false),
    yes = mine.filter((d) => d.settled && d.answer === true);
  const lost = no.filter((d) => failures.has(d.subject)).length;
  const clusterOf = (id: string) => {
    const a = byId.get(id);
    return a ? goldClusterOf(a) : null;
  };
  const pairs = group
    .filter((d) => byId.has(d.subject))
    .map((d) => {
      const c = clusterOf(d.subject);
      return { d, same: c !== null && c === mostCommon(d.against.map(clusterOf)) };
    });
  const settled = pairs.filter((p) => p.d.settled);
  const goldSame = pairs.filter((p) => p.same).length;
  const lostJoins = settled.filter((p) => p.same && p.d.answer === false).length;
  return {
    screen: mine.length
      ? {
          decisions: mine.length,
          settledNo: no.length,
          settledYes: yes.length,
          callsSaved: (no.length + yes.length) / mine.length,
          goldFailures: failures.size,
          lost,
          recallLost: share(lost, failures.size),
          wrongYes: yes.filter((d) => byId.get(d.subject)!.gold.isFailure === false).length,
        }
      : null,
    group: pairs.length
      ? {
          decisions: pairs.length,
          settled: settled.length,
          callsSaved: settled.length / pairs.length,
          goldSame,
          lost: lostJoins,
          recallLost: share(lostJoins, goldSame),
          wrongJoins: settled.filter((p) => !p.same && p.d.answer === true).length,
        }
      : null,
  };
}
