/**
 * The local OpenAI-compatible server as a process of its own, so its answering does not share the
 * client's event loop (benchmarks of pacing) and so the CLI can be pointed at it:
 *
 *   node bin/run-ts.js evals/servers/serve-fake-openai.ts [--port 0] [--latency-ms 300] [--rpm 600]
 *   OPENAI_BASE_URL=<printed url> failscope run data/sample/articles.jsonl --backend openai
 *
 * Prints `fake openai on <url>` once listening; on SIGTERM prints one JSON line of totals (requests per answer
 * format, with the arrival times of the first and last; its CPU time) and exits.
 */
import { parseArgs } from 'node:util';
import { startFakeOpenAI } from './fake-openai.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'latency-ms': { type: 'string', default: '0' },
    rpm: { type: 'string', default: '0' },
  },
});
const server = await startFakeOpenAI({
  port: Number(values.port),
  latencyMs: Number(values['latency-ms']),
  rpm: Number(values.rpm) || undefined,
});
process.stdout.write(`fake openai on ${server.url}\n`);
process.on('SIGTERM', async () => {
  // Per answer format: requests, and when the first and the last arrived (ms since the epoch).
  const byFormat: Record<string, { n: number; first: number; last: number }> = {};
  for (const r of server.requests) {
    const f = (byFormat[r.format ?? '?'] ??= { n: 0, first: r.at, last: r.at });
    f.n++;
    f.last = r.at;
  }
  const { user, system } = process.cpuUsage();
  process.stdout.write(
    `${JSON.stringify({ requests: server.requests.length, throttled: server.throttled, byFormat, cpuSeconds: (user + system) / 1e6 })}\n`,
  );
  await server.close();
  process.exit(0);
});
