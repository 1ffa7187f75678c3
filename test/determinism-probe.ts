// `node bin/run-ts.js test/determinism-probe.ts [--warm]`: prints, as one JSON document, what the text
// layer and the offline backend make of a few texts, after reading the warm-up texts first with --warm.
// test/determinism.test.ts runs it in two fresh processes and compares them.
import { splitSentences } from '../pipeline/text/sentences.ts';
import { terms } from '../pipeline/group/tfidf.ts';
import { OfflineBackend } from '../pipeline/backends/offline/index.ts';
import { toArticle } from '../pipeline/ingest/article.ts';
import { pathToFileURL } from 'node:url';

/**
 * Possessives that end a sentence: reading one makes wink-nlp keep "operator's" as a lexeme, after which
 * a fresh-process split of "the operator's app" into "operator" + "'s" no longer happens.
 */
export const WARM_UP = [
  "The fault was the operator's. The code was the contractor's.",
  "Nobody expected it of Meridian's. The blame was the council's. It was the vendor's.",
];

/** An invented incident whose headline has possessives its body spells without them. */
const INCIDENT = [
  {
    id: 'probe-1',
    headline: "Contractor's update halts Meridian's ticket gates for a day",
    published: '2024-05-02',
    text: `Ticket gates across the Meridian Transit network stopped working on Thursday after the contractor pushed a faulty software update overnight.

The operator said the update, written by the contractor for the new card readers, made every gate reject valid tickets. Staff opened the gates by hand and thousands of passengers travelled without paying.

Meridian Transit said the contractor had not tested the update on the older readers. The council asked the operator for a report, and the vendor said it would review its release checks.`,
  },
  {
    id: 'probe-2',
    headline: "Council's report blames vendor's untested code for Meridian gate failure",
    published: '2024-06-10',
    text: `A report for the council found that the contractor released the gate software without running its own tests, and that the operator had no way to roll it back quickly.

The failure left the gates open for eleven hours. The vendor has since added a test stage for every reader model, the report said.`,
  },
].map((a) => toArticle({ ...a, url: null, source: 'Probe Gazette', origin: `probe:${a.id}` }));

const PROBES = [
  ...INCIDENT.map((a) => a.headline),
  ...INCIDENT.map((a) => a.text),
  "The children's hospital said the operator's app failed.",
];

async function main(warm: boolean): Promise<void> {
  if (warm) for (const t of WARM_UP) splitSentences(t);
  const backend = new OfflineBackend();
  const incident = { id: 'inc-probe', articleIds: INCIDENT.map((a) => a.id), published: '2024-05-02' };
  process.stdout.write(
    `${JSON.stringify({
      sentences: PROBES.map((t) => splitSentences(t).map((s) => [s.start, s.end, s.tokens.map((k) => k.norm)])),
      terms: INCIDENT.map((a) => terms(a)),
      screenings: await Promise.all(INCIDENT.map((a) => backend.screen(a))),
      postmortem: await backend.extract(incident, INCIDENT),
      labels: await backend.classify(incident, INCIDENT),
    })}\n`,
  );
}

// Imported by the test for WARM_UP; run as a script, it probes.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.includes('--warm'));
