import PQueue from 'p-queue';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface LimitSettings {
  concurrency: number;
  /** Requests per minute. */
  rpm: number;
  /** Tokens (prompt + completion) per minute. */
  tpm: number;
}

interface Spend {
  at: number;
  tokens: number;
}

const MINUTE = 60_000;
/** Paces 2% under the rpm limit, so that catching up a late slot can never put one request too many in a server's sliding minute. */
const RPM_MARGIN = 1.02;

/**
 * Keeps requests under the server's limits before it has to refuse them: at most `concurrency` in
 * flight (p-queue), starts spaced 60/rpm seconds apart (a steady pace rather than a burst at each
 * minute, so a sliding-window limit on the server never trips), and at most `tpm` tokens started in
 * any sliding minute. Token spends are estimates at admission and corrected once usage is known.
 */
export class Limiter {
  private readonly queue: PQueue;
  private nextStart = 0;
  private spent: Spend[] = [];
  private gate: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly limits: LimitSettings,
    private readonly clock: Clock = realClock,
  ) {
    this.queue = new PQueue({ concurrency: limits.concurrency });
  }

  /** Runs `fn` once admitted; `fn` reports the tokens the request really used through `settle`. */
  run<T>(estimatedTokens: number, fn: (settle: (actualTokens: number) => void) => Promise<T>): Promise<T> {
    return this.queue.add(async () => {
      const spend = await this.admit(estimatedTokens);
      return fn((actual) => {
        spend.tokens = actual;
      });
    });
  }

  /** Admissions are serialised so that each waits for the pace and token room left by the one before. */
  private admit(tokens: number): Promise<Spend> {
    const next = this.gate.then(() => this.waitForRoom(tokens));
    this.gate = next.catch(() => undefined);
    return next;
  }

  private async waitForRoom(tokens: number): Promise<Spend> {
    const early = this.nextStart - this.clock.now();
    if (early >= 1) await this.clock.sleep(early);
    for (;;) {
      const now = this.clock.now();
      this.spent = this.spent.filter((s) => s.at > now - MINUTE);
      const used = this.spent.reduce((n, s) => n + s.tokens, 0);
      // A request larger than the whole budget still goes, alone, once the minute is clear.
      if (used + tokens <= this.limits.tpm || this.spent.length === 0) break;
      let excess = used + tokens - this.limits.tpm;
      let until = now;
      for (const s of this.spent) {
        excess -= s.tokens;
        until = s.at + MINUTE;
        if (excess <= 0) break;
      }
      await this.clock.sleep(Math.max(1, until - now));
    }
    const now = this.clock.now();
    // Slots stay on a fixed grid: a timer that fires a little late does not push every later slot back
    // (lateness would otherwise add up and cost throughput). After an idle spell the grid restarts.
    const interval = (MINUTE / this.limits.rpm) * RPM_MARGIN;
    this.nextStart = (now - this.nextStart < interval ? this.nextStart : now) + interval;
    const spend = { at: now, tokens };
    this.spent.push(spend);
    return spend;
  }
}
