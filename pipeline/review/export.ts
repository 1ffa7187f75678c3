import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { POSTMORTEM_FIELDS, TAXONOMY, UNKNOWN, type GoldArticle, type GoldIncident, type PostmortemField } from '../../schemas/index.ts';
import type { ReviewDecision } from '../../schemas/review.ts';
import { producerOf, type Store } from '../store/store.ts';
import { byTarget, factTarget, reviewedOptions, targetKey } from './targets.ts';

export interface GoldExport {
  dir: string;
  files: string[];
  incidents: number;
  articles: number;
  reviewedLabels: number;
  reviewedFacts: number;
  /** Decisions on incidents no longer in the store (regrouped since): kept in the store, not exported. */
  orphaned: { incidentId: string; decisions: number }[];
}

/** Numbered facts, one a line: the shape evals/facts.ts splits gold postmortem text on. */
const numbered = (facts: readonly string[]) => facts.map((t, i) => `${i + 1}. ${t.replace(/\s+/g, ' ').trim()}`).join('\n');

function writeJsonl(file: string, rows: unknown[]): void {
  // Written beside and renamed, so a reader never sees half a file.
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  renameSync(tmp, file);
}

/**
 * Reviewed decisions as gold records in the shared benchmarks' format (schemas/gold.ts), so
 * `failscope eval --gold <dir>` scores a run against them. Every incident with at least one decision
 * is written. A dimension the reviewer did not decide is null (not scored), or the model's label with
 * `includeUnreviewed`; the IoT layers are null when the system is not cyber-physical, as in the
 * benchmark. A postmortem field holds the facts the reviewer accepted or corrected ("unknown" when they
 * marked every one unsupported), null when none was reviewed. Articles carry gold.incidentId only:
 * the reviewer judged labels and facts, not screening.
 */
export function exportGold(store: Store, outDir: string, opts: { includeUnreviewed?: boolean } = {}): GoldExport {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const latest = store.review.latest();
  const decided = byTarget(latest);
  const records = store.records.list();
  const known = new Set(records.map((r) => r.id));
  const perIncident = new Map<string, ReviewDecision[]>();
  for (const d of latest) perIncident.set(d.incidentId, [...(perIncident.get(d.incidentId) ?? []), d]);

  const incidents: GoldIncident[] = [];
  const articleIds: { id: string; incidentId: string }[] = [];
  let reviewedLabels = 0,
    reviewedFacts = 0;
  for (const rec of records) {
    const mine = perIncident.get(rec.id);
    if (!mine) continue;
    const model = new Map(rec.labels.map((l) => [l.dimension, l.options]));
    const taxonomy: GoldIncident['gold']['taxonomy'] = {};
    for (const dim of TAXONOMY) {
      const reviewed = reviewedOptions(decided.get(targetKey('label', rec.id, dim.key, null)));
      if (reviewed) reviewedLabels++;
      taxonomy[dim.key as keyof typeof taxonomy] = reviewed ?? (opts.includeUnreviewed ? (model.get(dim.key) ?? null) : null);
    }
    if (taxonomy.cps?.[0] === 'false')
      for (const dim of TAXONOMY.filter((d) => d.iotOnly)) taxonomy[dim.key as keyof typeof taxonomy] = null;

    const postmortem: GoldIncident['gold']['postmortem'] = {};
    for (const field of POSTMORTEM_FIELDS) {
      const facts = mine.filter((d) => d.kind === 'fact' && d.target.startsWith(`${field}:`));
      reviewedFacts += facts.length;
      const kept = [...new Set(facts.filter((d) => d.text).map((d) => d.text!))];
      if (opts.includeUnreviewed && rec.postmortem && rec.postmortemProvenance) {
        const producer = producerOf(rec.postmortemProvenance);
        rec.postmortem[field as PostmortemField].forEach((f, idx) => {
          if (!decided.has(targetKey('fact', rec.id, factTarget(field, idx), producer)) && !kept.includes(f.text)) kept.push(f.text);
        });
      }
      postmortem[field] = kept.length ? numbered(kept) : facts.length ? UNKNOWN : null;
    }
    incidents.push({ id: rec.id, articleIds: rec.articleIds, gold: { postmortem, taxonomy } });
    for (const id of rec.articleIds) articleIds.push({ id, incidentId: rec.id });
  }

  const articles: GoldArticle[] = [];
  const byId = new Map(store.articles.byIds(articleIds.map((a) => a.id)).map((a) => [a.id, a]));
  for (const { id, incidentId } of articleIds) {
    const a = byId.get(id);
    if (a)
      articles.push({ id, url: a.url, headline: a.headline, source: a.source, published: a.published, text: a.text, gold: { incidentId } });
  }
  const files = [join(dir, 'incidents.jsonl'), join(dir, 'articles.jsonl')];
  writeJsonl(files[0], incidents);
  writeJsonl(files[1], articles);
  const orphaned = [...perIncident].filter(([id]) => !known.has(id)).map(([incidentId, ds]) => ({ incidentId, decisions: ds.length }));
  return { dir, files, incidents: incidents.length, articles: articles.length, reviewedLabels, reviewedFacts, orphaned };
}
