import type { Logger } from 'pino';

export interface ShutdownOptions {
  logger: Logger;
  /** Must be shorter than the pod's termination grace period. */
  deadlineMs: number;
  /** Stops intake, then finishes or hands back in-flight work, then closes connections. */
  close: () => Promise<void>;
  exit?: (code: number) => void;
  /**
   * The process's health server: marked shutting down first (its /readyz answers 503 from the
   * first signal on), closed after `close` so probes and scrapes still answer while work drains.
   */
  health?: { markShuttingDown(): void; close(): Promise<void> };
}

/**
 * SIGTERM/SIGINT run `close` once under a deadline; a second signal, or the deadline passing,
 * exits at once. Work still in flight then is not lost: BullMQ jobs whose lock lapses are
 * moved back to wait by the stalled-job check, and unacknowledged SQS messages reappear.
 */
export function installShutdown(options: ShutdownOptions): { shutdown: (reason: string) => Promise<void> } {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let closing: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    if (closing) return closing;
    options.logger.info({ reason, deadlineMs: options.deadlineMs }, 'shutting down');
    const deadline = setTimeout(() => {
      options.logger.error({ deadlineMs: options.deadlineMs }, 'shutdown deadline passed; exiting with work handed back');
      exit(1);
    }, options.deadlineMs);
    deadline.unref();
    options.health?.markShuttingDown();
    const closeAll = async () => {
      await options.close();
      await options.health?.close();
    };
    closing = closeAll().then(
      () => {
        clearTimeout(deadline);
        options.logger.info('shut down cleanly');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        options.logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
    return closing;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      options.logger.warn({ signal }, 'second signal: exiting immediately');
      exit(signal === 'SIGINT' ? 130 : 143);
      return;
    }
    void shutdown(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { shutdown };
}

/** The one catch for `main()`: log the error with its cause and exit non-zero. */
export function fatal(logger: Logger | undefined, error: unknown): never {
  if (logger) logger.fatal({ err: error }, 'fatal error');
  else console.error(error);
  process.exit(1);
}
