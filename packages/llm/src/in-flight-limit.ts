/**
 * At most `limit` LLM requests at once in this process; the others wait in the order they came
 * (so the signups of an earlier expand job are answered before a later job's). A job's batch of
 * up to 50 signups would otherwise put 50 × POOL_CONCURRENCY requests on the model server, and
 * as many connections on this process: a burst of 2 000 signups opened 2 000 sockets that were
 * each used once, then closed by their idle timeout (LLM_MAX_IN_FLIGHT, docs/llm.md).
 */
export class InFlightLimit {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`the in-flight limit must be a positive integer, got ${limit}`);
  }

  /** Requests running now. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `work` when a turn is free; `signal` gives up the wait (rejecting with its reason). */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#turn(signal);
    try {
      return await work();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  #turn(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.#active < this.limit) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const start = () => {
        signal?.removeEventListener('abort', giveUp);
        this.#active++;
        resolve();
      };
      const giveUp = () => {
        const at = this.#waiting.indexOf(start);
        if (at >= 0) this.#waiting.splice(at, 1);
        reject(signal?.reason);
      };
      this.#waiting.push(start);
      signal?.addEventListener('abort', giveUp, { once: true });
    });
  }
}
