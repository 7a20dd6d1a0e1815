import { describe, expect, it } from 'vitest';
import { jobIdFor } from './job-ids.js';
import { jobNameFromId } from './pool-metrics.js';
import { jobLogBindings } from './pool-worker.js';

describe('job log bindings', () => {
  it('name the stage, the job and the event, with the user or item it is about', () => {
    const id = jobIdFor('recommend-user', 'ev-1');
    expect(jobLogBindings('recommend', { id, name: 'recommend-user', data: { eventId: 'ev-1', userId: 'u-1', seedItemIds: [] } })).toEqual({
      stage: 'recommend',
      jobId: id,
      job: 'recommend-user',
      eventId: 'ev-1',
      userId: 'u-1',
    });
    expect(jobLogBindings('index', { id: 'j', name: 'upsert-item', data: { eventId: 'ev-2', item: { itemId: 'gb-7' } } })).toMatchObject({ itemId: 'gb-7', eventId: 'ev-2' });
    expect(jobLogBindings('embed', { id: 'j', name: 'embed-item', data: { eventId: 'ev-3', itemId: 'gb-8', text: 'x' } })).toMatchObject({ itemId: 'gb-8' });
    // A failed-event line may come without its job.
    expect(jobLogBindings('expand', undefined)).toEqual({ stage: 'expand', jobId: undefined, job: undefined });
    // Data that is not the catalog's shape adds nothing.
    expect(jobLogBindings('expand', { id: 'j', name: 'x', data: { eventId: 7, userId: null } })).toEqual({ stage: 'expand', jobId: 'j', job: 'x' });
  });

  it('recover the job name from a job id, for stalled events that carry only the id', () => {
    expect(jobNameFromId(jobIdFor('embed-topics', 'ev-1'))).toBe('embed-topics');
    expect(jobNameFromId(jobIdFor('upsert-item', 'a:b'))).toBe('upsert-item');
    expect(jobNameFromId('42')).toBe('unknown');
  });
});
