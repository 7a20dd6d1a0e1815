import type { QueueName } from '@coldstart/pipeline';
import type { OpsConfig } from '../config.js';
import { formatDuration } from '../durations.js';
import { JobQueues } from './jobs-queues.js';

export interface CleanReport {
  queue: QueueName;
  olderThan: string;
  removed: number;
  jobs: { jobId: string; name: string | null; failedReason: string | null; failedAt: string | null }[];
}

const CLEAN_BATCH = 1_000;

/**
 * Removes failed jobs whose failure is older than `olderThanMs`, through BullMQ's own clean
 * (in batches, so one call never blocks Redis for long), and says which ones went.
 */
export async function jobsClean(config: OpsConfig, queueName: QueueName, olderThanMs: number): Promise<CleanReport> {
  const queues = new JobQueues(config);
  try {
    const known = new Map((await queues.failed(queueName)).map((job) => [job.id ?? '', job]));
    const removed: string[] = [];
    for (const queue of queues.inEveryPartition(queueName)) {
      for (;;) {
        const batch = await queue.clean(olderThanMs, CLEAN_BATCH, 'failed');
        removed.push(...batch);
        if (batch.length < CLEAN_BATCH) break;
      }
    }
    return {
      queue: queueName,
      olderThan: formatDuration(olderThanMs),
      removed: removed.length,
      jobs: removed.map((id) => {
        const job = known.get(id);
        return {
          jobId: id,
          name: job?.name ?? null,
          failedReason: job?.failedReason ?? null,
          failedAt: job?.finishedOn ? new Date(job.finishedOn).toISOString() : null,
        };
      }),
    };
  } finally {
    await queues.close();
  }
}

export function renderClean(report: CleanReport): string {
  const lines = [`removed ${report.removed} failed job${report.removed === 1 ? '' : 's'} from ${report.queue} (failed more than ${report.olderThan} ago)`];
  for (const job of report.jobs) lines.push(`  ${job.jobId}  ${job.name ?? '?'}  ${job.failedAt ?? '-'}  ${job.failedReason ?? ''}`);
  return lines.join('\n');
}
