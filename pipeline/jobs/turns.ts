/**
 * Turns in a fixed order of keys: `wait(key)` resolves once every earlier key has been released. Jobs
 * answered out of order (by worker threads) write their results in job order, so the store's rows are the
 * same whatever order the answers came back in.
 */
export class Turns {
  private readonly index = new Map<string, number>();
  private readonly released: boolean[];
  private readonly waiters = new Map<number, () => void>();
  private next = 0;

  constructor(private readonly keys: readonly string[]) {
    keys.forEach((k, i) => this.index.set(k, i));
    this.released = keys.map(() => false);
  }

  wait(key: string): Promise<void> {
    const i = this.at(key);
    if (i <= this.next) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(i, resolve));
  }

  release(key: string): void {
    this.released[this.at(key)] = true;
    for (;;) {
      const waiter = this.waiters.get(this.next);
      if (waiter) {
        this.waiters.delete(this.next);
        waiter();
      }
      if (this.next >= this.keys.length || !this.released[this.next]) break;
      this.next++;
    }
  }

  private at(key: string): number {
    const i = this.index.get(key);
    if (i === undefined) throw new Error(`turns: unknown key ${key}`);
    return i;
  }
}
