import { createHash } from 'node:crypto';

/**
 * One job id per (stage, event): adding the same event's flow twice is absorbed by BullMQ,
 * which ignores a job whose id exists. Event ids are hashed because they may hold characters
 * BullMQ reserves (`:`) and up to 128 characters.
 */
export function jobIdFor(jobName: string, eventId: string): string {
  return `${jobName}-${createHash('sha256').update(eventId).digest('hex').slice(0, 40)}`;
}
