/**
 * Preloaded into a `failscope run --json` (NODE_OPTIONS=--import): SIGKILLs the process right after it
 * reports its Nth finished job of a stage (FAILSCOPE_KILL_AFTER=stage:N). The moment is chosen by the work
 * done, never by a clock, so a loaded machine cannot let the run finish first. No handler runs and nothing
 * is flushed, as with a kill from outside; `npm run soak` kills at random moments. FAILSCOPE_KILL_SIGNAL
 * sends another signal instead (SIGINT: a Ctrl-C, which the run's handler hears).
 */
const [stage, n] = (process.env.FAILSCOPE_KILL_AFTER ?? '').split(':');
const signal = process.env.FAILSCOPE_KILL_SIGNAL ?? 'SIGKILL';
let seen = 0;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  const written = write(chunk, ...rest);
  for (const line of String(chunk).split('\n')) {
    if (!line.startsWith('{"type":"job"')) continue;
    const e = JSON.parse(line);
    if (e.stage === stage && e.state === 'done' && ++seen === Number(n)) process.kill(process.pid, signal);
  }
  return written;
};
