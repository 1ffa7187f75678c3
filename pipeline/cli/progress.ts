import cliProgress from 'cli-progress';
import type { EventSink, RunEvent } from '../jobs/events.ts';

/** Progress bars on a terminal, JSON lines otherwise (piped, or --json). */
export function progressSink(json: boolean): { sink: EventSink; stop(): void } {
  if (json || !process.stderr.isTTY) {
    return { sink: (e: RunEvent) => process.stdout.write(`${JSON.stringify(e)}\n`), stop() {} };
  }
  const bars = new cliProgress.MultiBar({
    format: ' {stage} |{bar}| {value}/{total} {note}', hideCursor: true, clearOnComplete: false, stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  const byStage = new Map<string, cliProgress.SingleBar>();
  let failed = 0;
  return {
    sink(e) {
      if (e.type === 'stage') byStage.set(e.stage, bars.create(e.pending, 0, { stage: e.stage.padEnd(8), note: e.skipped ? `(${e.skipped} already done)` : '' }));
      if (e.type === 'job') {
        if (e.state === 'failed') failed++;
        byStage.get(e.stage)?.increment(1, failed ? { note: `${failed} failed` } : {});
      }
    },
    stop: () => bars.stop(),
  };
}
