/**
 * Per-host politeness: at most `perHost` requests in flight to one host, and at least `delayMs` between
 * one request to a host finishing and the next one starting. A robots.txt Crawl-delay can raise a
 * host's delay. Every HTTP request (each redirect hop, each retry, robots.txt itself) goes through here.
 */
interface HostState {
  active: number;
  nextAt: number;
  delayMs: number;
  waiting: (() => void)[];
  timer?: NodeJS.Timeout;
}

export class HostGate {
  private readonly hosts = new Map<string, HostState>();

  constructor(private readonly opts: { perHost: number; delayMs: number }) {}

  private state(host: string): HostState {
    let h = this.hosts.get(host);
    if (!h) this.hosts.set(host, (h = { active: 0, nextAt: 0, delayMs: this.opts.delayMs, waiting: [] }));
    return h;
  }

  /** Raises (never lowers) a host's delay, e.g. to its robots.txt Crawl-delay. */
  setDelay(host: string, delayMs: number): void {
    const h = this.state(host);
    h.delayMs = Math.max(h.delayMs, delayMs);
  }

  delayOf(host: string): number {
    return this.state(host).delayMs;
  }

  /** Pushes a host's next start back, e.g. after a 429 with Retry-After. */
  backOff(host: string, ms: number): void {
    const h = this.state(host);
    h.nextAt = Math.max(h.nextAt, Date.now() + ms);
  }

  async run<T>(host: string, fn: () => Promise<T>): Promise<T> {
    const h = this.state(host);
    await new Promise<void>((resolve) => {
      h.waiting.push(resolve);
      this.pump(h);
    });
    try {
      return await fn();
    } finally {
      h.active--;
      h.nextAt = Math.max(h.nextAt, Date.now() + h.delayMs);
      this.pump(h);
    }
  }

  private pump(h: HostState): void {
    if (h.timer) return;
    while (h.waiting.length && h.active < this.opts.perHost) {
      const wait = h.nextAt - Date.now();
      if (wait > 0) {
        h.timer = setTimeout(() => {
          h.timer = undefined;
          this.pump(h);
        }, wait);
        return;
      }
      h.active++;
      h.nextAt = Date.now() + h.delayMs;
      h.waiting.shift()!();
    }
  }
}
