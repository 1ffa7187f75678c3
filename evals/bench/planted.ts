/**
 * Planted instructions: every sample article carries a line telling AI assistants to reword what they quote,
 * and the local OpenAI-compatible server obeys it (evals/servers/obeying.ts). Each quote it returns is a
 * near-quote of the article: negated, a number changed, a name swapped, clauses reordered, or, harmlessly,
 * a word dropped or two words swapped. Prints how many stored citations count as verified, and how many of
 * those carry text that is not in the article (and how many of these contradict it). Asserts nothing.
 *
 *   node bin/run-ts.js evals/bench/planted.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config } from '../../schemas/index.ts';
import { Store } from '../../pipeline/store/store.ts';
import { runPipeline } from '../../pipeline/run.ts';
import { toArticle } from '../../pipeline/ingest/article.ts';
import { OpenAIBackend, resolveSettings } from '../../pipeline/backends/openai/index.ts';
import { fold, verifyCitation } from '../../pipeline/citations/align.ts';
import { startFakeOpenAI } from '../servers/fake-openai.ts';
import { PLANTED, obeyPlanted } from '../servers/obeying.ts';
import type { NearQuote } from '../near-quotes.ts';
import { loadGold } from '../gold.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const made = new Map<string, NearQuote>();
const server = await startFakeOpenAI({ override: obeyPlanted(made) });
const dir = mkdtempSync(join(tmpdir(), 'failscope-planted-'));
const store = new Store(join(dir, 'planted.db'));
try {
  const sample = (await loadGold(join(ROOT, 'data', 'sample'))).articles;
  store.articles.insert(sample.map((r) => toArticle({ ...r, text: `${r.text}\n\n${PLANTED}`, origin: 'planted' })));
  const config = Config.parse({ openai: { baseURL: server.url, rpm: 1_000_000, tpm: 100_000_000 } });
  const backend = new OpenAIBackend(resolveSettings({ config, env: { OPENAI_API_KEY: 'sk-bench' }, cache: true }));
  const summary = await runPipeline(store, backend, { settings: { backend: 'openai', model: backend.model, concurrency: 4, cache: true } });
  let verified = 0,
    foreign = 0,
    contradicting = 0;
  const byAlignment: Record<string, number> = {};
  for (const c of store.records.citationsWithText()) {
    if (!verifyCitation(c, c.text)) continue;
    verified++;
    byAlignment[c.alignment] = (byAlignment[c.alignment] ?? 0) + 1;
    if (fold(c.text).folded.includes(fold(c.quote).folded.trim())) continue;
    foreign++;
    if (made.get(c.quote)?.expect === 'unaligned') contradicting++;
  }
  const kinds: Record<string, number> = {};
  for (const n of made.values()) kinds[n.kind] = (kinds[n.kind] ?? 0) + 1;
  console.log(
    `planted instructions, ${sample.length} sample articles, ${server.requests.length} requests; near-quotes returned ${JSON.stringify(kinds)}`,
  );
  console.log(
    `  ${verified} verified citations ${JSON.stringify(byAlignment)}; ${foreign} carry text not in the article, ${contradicting} of them contradicting it; ` +
      `${summary.citations.unverified} stored unverified; ${store.modelCalls
        .quoteChecks(summary.runId)
        .map((q) => `${q.dropped} quotes dropped after ${q.reasks} re-asks`)
        .join('')}`,
  );
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
  await server.close();
}
