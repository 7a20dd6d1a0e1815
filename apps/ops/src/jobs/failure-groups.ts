/**
 * Groups failure messages that differ only in ids, numbers and times, so `jobs failed` shows
 * "item <id> not found (attempt <n>)" once with a count instead of once per job.
 */
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const ISO_TIME = /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;
const HEX = /\b[0-9a-f]{8,}\b/gi;
/** A run of letters and digits that holds a digit: a number, or an id such as `5f2c81d0` or `gb7`. */
const WITH_DIGIT = /\b(?=[a-z0-9]*\d)[a-z0-9]+\b/gi;

export function normaliseFailureReason(reason: string): string {
  return reason
    .replace(ISO_TIME, '<time>')
    .replace(UUID, '<id>')
    .replace(HEX, (match) => (/^\d+$/.test(match) ? '<n>' : '<id>'))
    .replace(WITH_DIGIT, (match) => (/^\d+$/.test(match) ? '<n>' : '<id>'))
    .replace(/\s+/g, ' ')
    .trim();
}

export interface FailedJobLike {
  id?: string | undefined;
  name: string;
  failedReason?: string | undefined;
  finishedOn?: number | undefined;
}

export interface FailureGroup {
  /** The normalised message the jobs share. */
  reason: string;
  count: number;
  exampleJobId: string;
  /** One job's message as it was. */
  exampleReason: string;
  jobNames: string[];
  lastFailedAt: string | null;
}

/** Groups by normalised message, largest group first. */
export function groupFailures(jobs: readonly FailedJobLike[]): FailureGroup[] {
  const groups = new Map<string, FailureGroup & { last: number }>();
  for (const job of jobs) {
    const raw = job.failedReason?.trim() || '(no reason recorded)';
    const reason = normaliseFailureReason(raw);
    const group = groups.get(reason) ?? { reason, count: 0, exampleJobId: job.id ?? '', exampleReason: raw, jobNames: [], lastFailedAt: null, last: 0 };
    group.count += 1;
    if (!group.jobNames.includes(job.name)) group.jobNames.push(job.name);
    if ((job.finishedOn ?? 0) > group.last) group.last = job.finishedOn ?? 0;
    groups.set(reason, group);
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
    .map(({ last, ...group }) => ({ ...group, jobNames: group.jobNames.sort(), lastFailedAt: last > 0 ? new Date(last).toISOString() : null }));
}
