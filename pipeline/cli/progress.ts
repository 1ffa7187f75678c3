import cliProgress from 'cli-progress';
import type { EventSink, RunEvent } from '../jobs/events.ts';

/** Where a long command reports: JSON lines on stdout, progress bars on stderr, the human summary on either. */
export interface Output {
  json: boolean;
  bars: boolean;
  human: NodeJS.WritableStream | null;
}

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

/**
 * stdout carries only JSON lines when asked (`--json`) or piped, so `failscope run | jq` reads nothing
 * else; the human summary then goes to stderr, unless --json asked for JSON alone. Bars need a terminal.
 */
export function outputFor(asked: boolean | undefined, streams: { stdout: Stream; stderr: Stream } = process): Output {
  const json = !!asked || !streams.stdout.isTTY;
  return { json, bars: !asked && !!streams.stderr.isTTY, human: asked ? null : json ? streams.stderr : streams.stdout };
}

/** Events as JSON lines on stdout and/or as one bar per stage on stderr. */
export function progressSink(out: Pick<Output, 'json' | 'bars'>): { sink: EventSink; stop(): void } {
  const bars = out.bars
    ? new cliProgress.MultiBar(
        {
          format: ' {stage} |{bar}| {value}/{total} {note}',
          hideCursor: true,
          clearOnComplete: false,
          stream: process.stderr,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const byStage = new Map<string, cliProgress.SingleBar>();
  let failed = 0,
    elsewhere = 0;
  const note = () => [failed && `${failed} failed`, elsewhere && `${elsewhere} by other runs`].filter(Boolean).join(', ');
  return {
    sink(e: RunEvent) {
      if (out.json) process.stdout.write(`${JSON.stringify(e)}\n`);
      if (!bars) return;
      if (e.type === 'stage')
        byStage.set(e.stage, bars.create(e.pending, 0, { stage: e.stage.padEnd(8), note: e.skipped ? `(${e.skipped} already done)` : '' }));
      if (e.type === 'wait' && e.jobs === 'all') bars.log(`${e.stage}: waiting for another run doing it on this database\n`);
      if (e.type === 'wait' && e.jobs !== 'all') byStage.get(e.stage)?.update({ note: `waiting for ${e.jobs} job(s) another run holds` });
      if (e.type === 'job') {
        if (e.state === 'failed') failed++;
        if (e.state === 'elsewhere') elsewhere++;
        byStage.get(e.stage)?.increment(1, note() ? { note: note() } : {});
      }
    },
    stop: () => bars?.stop(),
  };
}
