import type { QueueName } from '@coldstart/pipeline';
import type { OpsConfig } from '../config.js';
import { groupFailures, type FailureGroup } from './failure-groups.js';
import { JobQueues } from './jobs-queues.js';

export interface FailedJobsReport {
  queue: QueueName;
  total: number;
  groups: FailureGroup[];
}

export async function jobsFailed(config: OpsConfig, queueName: QueueName): Promise<FailedJobsReport> {
  const queues = new JobQueues(config);
  try {
    const jobs = await queues.failed(queueName);
    return { queue: queueName, total: jobs.length, groups: groupFailures(jobs) };
  } finally {
    await queues.close();
  }
}

export function renderFailedJobs(report: FailedJobsReport): string {
  const lines = [`${report.queue}: ${report.total} failed job${report.total === 1 ? '' : 's'}`];
  if (report.total > 0) {
    lines.push('', 'count  last failure              example job id                                   reason');
    for (const group of report.groups) {
      lines.push(`${String(group.count).padStart(5)}  ${(group.lastFailedAt ?? '-').padEnd(24)}  ${group.exampleJobId.padEnd(48)} ${group.reason}`);
    }
  }
  return lines.join('\n');
}
