import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@coldstart/runtime';

/** What the snapshotter process tells the writer over IPC. */
export type SnapshotterMessage = { type: 'fenced'; reason: string };

/** Where the writer hands the snapshotter its fencing token. */
export const WRITER_TOKEN_ENV = 'COLDSTART_WRITER_TOKEN';

const SNAPSHOTTER_ENTRY = fileURLToPath(new URL('./snapshotter-main.js', import.meta.url));
/** A snapshotter that dies is started again after this long, doubling up to the cap while it keeps dying. */
const RESTART_BASE_MS = 1_000;
const RESTART_CAP_MS = 30_000;
/** A snapshotter that stays up this long resets the back-off. */
const HEALTHY_AFTER_MS = 60_000;
/** How long `stop` lets a snapshot in flight finish before SIGKILL. */
const STOP_DEADLINE_MS = 120_000;

/**
 * Runs the writer's snapshot loop (snapshotter-main.ts) in a child process and keeps it running.
 * Serialising an index is synchronous in FAISS and takes seconds at 10^5–10^6 vectors (4–12.5 s
 * for 100k × 768 in `bench index`, 74 s at 1M × 256), as does replaying a long log: in the writer's own process
 * that stalls its lease renewals (the writer would lose the lease and step down) and its jobs'
 * lock renewals. The child shares nothing with the writer but the fencing token: its trims and
 * pointer moves are fenced by it in Redis, so a child that outlives its writer cannot write
 * once another writer took over.
 */
export function startSnapshotProcess(options: { fencingToken: string; logger: Logger; onFenced: (reason: string) => void }): { stop(): Promise<void> } {
  const { logger } = options;
  let child: ChildProcess | undefined;
  let stopping = false;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const start = () => {
    const startedAt = Date.now();
    const running = fork(SNAPSHOTTER_ENTRY, [], { env: { ...process.env, [WRITER_TOKEN_ENV]: options.fencingToken }, stdio: 'inherit' });
    child = running;
    logger.info({ snapshotterPid: running.pid }, 'snapshotter process started');
    running.on('message', (message: SnapshotterMessage) => {
      if (message.type === 'fenced') options.onFenced(message.reason);
    });
    running.once('exit', (code, signal) => {
      if (child === running) child = undefined;
      if (stopping) return;
      failures = Date.now() - startedAt >= HEALTHY_AFTER_MS ? 1 : failures + 1;
      const delayMs = Math.min(RESTART_CAP_MS, RESTART_BASE_MS * 2 ** (failures - 1));
      logger.error({ code, signal, restartInMs: delayMs }, 'snapshotter process exited; starting it again');
      restartTimer = setTimeout(start, delayMs);
      restartTimer.unref();
    });
  };
  start();

  return {
    stop: async () => {
      stopping = true;
      clearTimeout(restartTimer);
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      const deadline = setTimeout(() => running.kill('SIGKILL'), STOP_DEADLINE_MS);
      deadline.unref();
      await exited;
      clearTimeout(deadline);
    },
  };
}
