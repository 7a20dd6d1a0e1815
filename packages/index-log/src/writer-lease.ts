import { randomUUID } from 'node:crypto';
import { sleep, type Logger } from '@coldstart/runtime';
import type { IndexLog } from './index-log.js';

export interface WriterLease {
  /** The fencing token every append of this process carries. */
  readonly token: string;
  /** Stops renewing and frees the lease for a standby. Idempotent. */
  release(): Promise<void>;
}

/**
 * Waits until this process holds the index logs' single-writer lease, then renews it every third
 * of its duration. Until then the process is a standby (not ready, taking no jobs). If a renewal
 * finds the lease gone (this process was paused past it, and perhaps another took over) it calls
 * `onLost`: the fencing token already makes this process's appends fail, and it should restart
 * as a standby.
 */
export async function acquireWriterLease(
  log: Pick<IndexLog, 'claimWriter' | 'renewWriter' | 'releaseWriter'>,
  options: { leaseMs: number; logger: Logger; onLost: (reason: string) => void },
): Promise<WriterLease> {
  const owner = `${process.pid}-${randomUUID()}`;
  const { leaseMs, logger } = options;
  let token = await log.claimWriter(owner, leaseMs);
  if (token === undefined) logger.info({ leaseMs }, 'another index process is the writer; standing by');
  while (token === undefined) {
    await sleep(Math.ceil(leaseMs / 3));
    token = await log.claimWriter(owner, leaseMs);
  }
  logger.info({ fencingToken: token }, 'this process is the writer of the catalog and its logs');

  let released = false;
  const renew = async () => {
    if (await log.renewWriter(owner, leaseMs)) return;
    if (!released) options.onLost('the writer lease lapsed (this process was paused or cut off longer than WRITER_LEASE_MS)');
  };
  const timer = setInterval(() => {
    renew().catch((error: unknown) => logger.warn({ err: error }, 'writer lease renewal failed; retrying'));
  }, Math.ceil(leaseMs / 3));
  timer.unref();
  return {
    token,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      await log.releaseWriter(owner);
    },
  };
}
