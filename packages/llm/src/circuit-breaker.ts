export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failed requests that open the breaker. */
  failureThreshold: number;
  /** How long it stays open before one probe request may try the server again. */
  openMs: number;
}

/**
 * Stops sending requests to a server that keeps failing, so users get the fallback expander at
 * once instead of each paying retries and timeouts. Closed → (threshold failures in a row) →
 * open → (openMs) → half-open: exactly one probe goes through; its success closes the breaker,
 * its failure opens it again. Per process: each process learns the server's state by itself,
 * which costs at most `failureThreshold` failed requests per process.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.options.openMs ? 'half-open' : 'open';
  }

  /** True if a request may go out now; in half-open, true for the single probe only. */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  failed(): void {
    this.failures++;
    if (this.probing || this.failures >= this.options.failureThreshold) this.openedAt = this.now();
    this.probing = false;
  }

  /** A request that ended without telling anything about the server's health (a 429, the job aborted). */
  released(): void {
    this.probing = false;
  }
}
