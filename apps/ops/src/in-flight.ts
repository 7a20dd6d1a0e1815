/**
 * Runs tasks with at most `limit` at once, so a producer keeps several round trips going
 * without unbounded memory. After a task fails no new one starts: `run` and `drain` rethrow
 * the first failure (`drain` once every running task has settled).
 */
export class InFlight {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  /** Starts `task` once fewer than `limit` run. */
  async run(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.rethrow();
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(running));
    this.running.add(running);
  }

  /** Waits for every running task. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}
