import type { Article } from '../../../schemas/index.ts';
import type { CallContext, SameIncidentVerdict } from '../backend.ts';
import { renderPassages } from './articles.ts';
import { leadOf } from './chunking.ts';
import { type Engine, SPECS } from './engine.ts';
import { askStructured } from './reask.ts';

/** Enough of each article to recognise its event; same-incident calls are many and should stay small. */
const CALL_BUDGET = 4000;
const MAX_MEMBERS = 4;

/** The incident's first report and its latest ones: where it started and where the story is now. */
function representatives(members: readonly Article[]): Article[] {
  const byDate = [...members].sort((a, b) => (a.published ?? '').localeCompare(b.published ?? '') || a.id.localeCompare(b.id));
  if (byDate.length <= MAX_MEMBERS) return byDate;
  return [byDate[0], ...byDate.slice(-(MAX_MEMBERS - 1))];
}

/**
 * Candidates from the TF-IDF index: what the thresholds settle is decided without a call; the model
 * decides the uncertain middle. Every decision is recorded, settled or not.
 */
export async function decideSameIncident(
  e: Engine,
  article: Article,
  members: readonly Article[],
  similarity: number,
  ctx: CallContext,
): Promise<SameIncidentVerdict> {
  const record = (settled: boolean, answer: boolean) =>
    ctx.decisions.recordDecision({
      runId: ctx.runId,
      stage: 'group',
      subject: article.id,
      against: members.map((m) => m.id),
      settled,
      answer,
      score: similarity,
    });
  const settled = settle(e, article, members, similarity);
  if (settled) {
    record(true, settled.same);
    return settled;
  }
  const budget = Math.min(CALL_BUDGET, e.articleBudget('same-incident'));
  const chosen = representatives(members);
  const candidate = await leadOf(article, Math.floor(budget * 0.4), e.count);
  const each = Math.floor((budget * 0.6) / chosen.length);
  const others = await Promise.all(chosen.map((a) => leadOf(a, each, e.count)));
  const messages = e.messages('same-incident', { candidate: renderPassages([candidate]), incident: renderPassages(others, 2) });
  const { value } = await askStructured(e.chat, messages, { ...SPECS.sameIncident, maxTokens: 300 }, ctx, e.s.maxReasks);
  record(false, value.sameIncident);
  return { same: value.sameIncident, confidence: value.confidence };
}

/** Very similar candidates join and very dissimilar ones stay apart by their similarity alone; the pre-filter may settle more. */
function settle(e: Engine, article: Article, members: readonly Article[], similarity: number): SameIncidentVerdict | null {
  const { accept, reject } = e.s.sameIncident;
  if (similarity >= accept) return { same: true, confidence: Number(Math.min(1, 0.5 + similarity / 2).toFixed(3)) };
  if (similarity < reject) return { same: false, confidence: Number(Math.min(1, 1 - similarity).toFixed(3)) };
  return e.prefilter?.sameIncident(article, members, similarity) ?? null;
}
