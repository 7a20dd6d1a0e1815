import { sleep } from '@coldstart/runtime';

/** Spaces sends so that no more than `ratePerSecond` go out on average; the first goes at once. */
export class Pacer {
  private nextAt = 0;
  constructor(private readonly ratePerSecond: number | undefined) {}

  async take(count: number): Promise<void> {
    if (!this.ratePerSecond) return;
    const now = Date.now();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + (count / this.ratePerSecond) * 1_000;
    if (at > now) await sleep(at - now);
  }
}
