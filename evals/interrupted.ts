/** Ctrl-C during an eval: nothing is scored, and what was done stays in its databases for the re-run. */
export class EvalInterrupted extends Error {
  constructor() {
    super('nothing scored; run the same command again to resume (the finished jobs are kept)');
  }
}
