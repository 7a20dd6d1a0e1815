import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { FAILURE_ATTRIBUTES } from '@coldstart/aws';
import { summariseDeadLetters } from './dlq-list.js';
import { describeMessage, eventTypeOf, hasFilter, matchesFilter, redriveMaxReceiveCount, redriveReason, sqsClientFor } from './dlq-messages.js';
import { isUnsupportedAction, producerAttributes } from './dlq-replay.js';
import { Pacer } from '../pacer.js';
import { parseJobKey } from '../jobs/jobs-queues.js';
import { ProgressBar } from '../progress.js';

const HOUR = 3_600_000;
const now = Date.parse('2026-01-10T12:00:00Z');
const str = (value: string) => ({ DataType: 'String', StringValue: value });

const signupBody = JSON.stringify({ schemaVersion: 1, type: 'user.signup', eventId: 'e1', occurredAt: '2026-01-01T00:00:00Z', userId: 'u1', interests: {} });

/** As the ingest sends an invalid body to the DLQ. */
const invalidMessage: Message = {
  MessageId: 'm-invalid',
  ReceiptHandle: 'rh-1',
  Body: '{"schemaVersion":1,"type":"user.signup"',
  Attributes: { ApproximateReceiveCount: '3', SentTimestamp: String(now - HOUR) },
  MessageAttributes: {
    [FAILURE_ATTRIBUTES.reason]: str('body is not valid JSON: Unexpected end of JSON input'),
    [FAILURE_ATTRIBUTES.kind]: str('invalid'),
    [FAILURE_ATTRIBUTES.sourceQueue]: str('coldstart-user-events'),
    [FAILURE_ATTRIBUTES.firstFailureAt]: str('2026-01-08T12:00:00.000Z'),
    'producer-trace': str('abc'),
  },
};

/** As SQS moves a message by RedrivePolicy: no attributes of ours. */
const redrivenMessage: Message = {
  MessageId: 'm-redrive',
  ReceiptHandle: 'rh-2',
  Body: signupBody,
  Attributes: { ApproximateReceiveCount: '6', SentTimestamp: String(now - 3 * HOUR), ApproximateFirstReceiveTimestamp: String(now - 2 * HOUR) },
};

describe('describeMessage', () => {
  it('reads the ingest\'s failure attributes', () => {
    const m = describeMessage(invalidMessage, 5);
    expect(m).toMatchObject({
      messageId: 'm-invalid',
      reason: 'body is not valid JSON: Unexpected end of JSON input',
      kind: 'invalid',
      eventType: 'unknown',
      receiveCount: 3,
      firstFailureAt: new Date('2026-01-08T12:00:00.000Z'),
    });
  });

  it('gives a redriven message the redrive reason, its body\'s type and its SentTimestamp', () => {
    const m = describeMessage(redrivenMessage, 5);
    expect(m).toMatchObject({ reason: 'redrive: failed processing 5× (maxReceiveCount exceeded)', kind: 'redrive', eventType: 'user.signup', receiveCount: 6 });
    expect(m.firstFailureAt.getTime()).toBe(now - 3 * HOUR);
  });

  it('prefers the coldstart-event-type attribute and falls back to the first receive, then now', () => {
    const typed = describeMessage({ ...redrivenMessage, MessageAttributes: { [FAILURE_ATTRIBUTES.eventType]: str('item.deleted') } }, 5);
    expect(typed.eventType).toBe('item.deleted');
    const noSent = describeMessage({ ...redrivenMessage, Attributes: { ApproximateFirstReceiveTimestamp: String(now - HOUR) } }, undefined);
    expect(noSent.firstFailureAt.getTime()).toBe(now - HOUR);
    expect(noSent.reason).toBe('redrive: failed processing repeatedly (maxReceiveCount exceeded)');
    const fallback = new Date(now);
    expect(describeMessage({ MessageId: 'x', Body: 'x' }, 5, fallback).firstFailureAt).toBe(fallback);
  });
});

describe('redrive policy and body types', () => {
  it('reads maxReceiveCount from a RedrivePolicy', () => {
    expect(redriveMaxReceiveCount('{"deadLetterTargetArn":"arn:x","maxReceiveCount":5}')).toBe(5);
    expect(redriveMaxReceiveCount('{"maxReceiveCount":"2"}')).toBe(2);
    expect(redriveMaxReceiveCount(undefined)).toBeUndefined();
    expect(redriveMaxReceiveCount('not json')).toBeUndefined();
    expect(redriveReason(2)).toMatch(/^redrive: .*2×/);
  });

  it('reads a body\'s type only when it is a known event type', () => {
    expect(eventTypeOf(signupBody)).toBe('user.signup');
    expect(eventTypeOf('{"type":"user.deleted"}')).toBeUndefined();
    expect(eventTypeOf('[1,2]')).toBeUndefined();
    expect(eventTypeOf('{not json')).toBeUndefined();
  });
});

describe('matchesFilter', () => {
  const invalid = describeMessage(invalidMessage, 5);
  const redriven = describeMessage(redrivenMessage, 5);

  it('matches everything without a filter', () => {
    expect(hasFilter({})).toBe(false);
    expect(matchesFilter(invalid, {}, now)).toBe(true);
    expect(matchesFilter(redriven, {}, now)).toBe(true);
  });

  it('matches the event type exactly, `unknown` for bodies without one', () => {
    expect(matchesFilter(redriven, { type: 'user.signup' }, now)).toBe(true);
    expect(matchesFilter(redriven, { type: 'item.upserted' }, now)).toBe(false);
    expect(matchesFilter(invalid, { type: 'unknown' }, now)).toBe(true);
    expect(matchesFilter(invalid, { type: 'user.signup' }, now)).toBe(false);
  });

  it('matches a reason by case-insensitive substring', () => {
    expect(matchesFilter(redriven, { reason: 'REDRIVE' }, now)).toBe(true);
    expect(matchesFilter(invalid, { reason: 'not valid json' }, now)).toBe(true);
    expect(matchesFilter(invalid, { reason: 'redrive' }, now)).toBe(false);
  });

  it('matches --older-than on the first failure, inclusive', () => {
    expect(matchesFilter(redriven, { olderThanMs: 3 * HOUR }, now)).toBe(true);
    expect(matchesFilter(redriven, { olderThanMs: 3 * HOUR + 1 }, now)).toBe(false);
    expect(matchesFilter(invalid, { olderThanMs: 24 * HOUR }, now)).toBe(true);
    expect(matchesFilter(invalid, { olderThanMs: 3 * 24 * HOUR }, now)).toBe(false);
  });

  it('needs every given criterion', () => {
    expect(hasFilter({ olderThanMs: 0 })).toBe(true);
    expect(matchesFilter(redriven, { type: 'user.signup', reason: 'redrive', olderThanMs: HOUR }, now)).toBe(true);
    expect(matchesFilter(redriven, { type: 'user.signup', reason: 'invalid', olderThanMs: HOUR }, now)).toBe(false);
  });
});

describe('summariseDeadLetters', () => {
  it('counts by reason, by type and by both, and finds the oldest first failure', () => {
    const messages = [
      describeMessage(invalidMessage, 5),
      describeMessage({ ...invalidMessage, MessageId: 'm2' }, 5),
      describeMessage(redrivenMessage, 5),
      describeMessage({ ...redrivenMessage, MessageId: 'm4', Body: '{"type":"item.deleted"}' }, 5),
    ];
    const summary = summariseDeadLetters(messages, now);
    expect(summary.total).toBe(4);
    expect(summary.byReason).toEqual([
      { reason: 'body is not valid JSON: Unexpected end of JSON input', kind: 'invalid', count: 2 },
      { reason: 'redrive: failed processing 5× (maxReceiveCount exceeded)', kind: 'redrive', count: 2 },
    ]);
    expect(summary.byType).toEqual([
      { type: 'unknown', count: 2 },
      { type: 'item.deleted', count: 1 },
      { type: 'user.signup', count: 1 },
    ]);
    expect(summary.groups).toHaveLength(3);
    expect(summary.groups[0]).toEqual({ reason: 'body is not valid JSON: Unexpected end of JSON input', type: 'unknown', count: 2 });
    expect(summary.oldest).toEqual({ messageId: 'm-invalid', firstFailureAt: '2026-01-08T12:00:00.000Z', ageSeconds: 2 * 86_400 });
  });

  it('has no oldest message when empty', () => {
    expect(summariseDeadLetters([], now)).toEqual({ total: 0, byReason: [], byType: [], groups: [], oldest: null });
  });
});

describe('replay helpers', () => {
  it('keeps the producer\'s attributes and drops the ones the ingest added', () => {
    expect(producerAttributes(invalidMessage)).toEqual({ 'producer-trace': { DataType: 'String', StringValue: 'abc' } });
    expect(producerAttributes(redrivenMessage)).toBeUndefined();
  });

  it('recognises an endpoint without StartMessageMoveTask by its error', () => {
    expect(isUnsupportedAction(Object.assign(new Error('Unknown action: StartMessageMoveTask'), { name: 'InvalidAction' }))).toBe(true);
    expect(isUnsupportedAction(Object.assign(new Error('x'), { name: 'Whatever', $metadata: { httpStatusCode: 501 } }))).toBe(true);
    expect(isUnsupportedAction(Object.assign(new Error('Access denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }))).toBe(false);
    expect(isUnsupportedAction(Object.assign(new Error('a task is already running'), { name: 'UnsupportedOperation' }))).toBe(false);
    expect(isUnsupportedAction('nope')).toBe(false);
  });

  it('paces sends to the rate, the first at once', async () => {
    const pacer = new Pacer(20);
    const start = Date.now();
    await pacer.take(2);
    expect(Date.now() - start).toBeLessThan(50);
    await pacer.take(2);
    await pacer.take(1);
    // 2 then 2 more at 20/s: the third call waits for 4 sends' worth, 200 ms.
    expect(Date.now() - start).toBeGreaterThanOrEqual(190);
    const unpaced = new Pacer(undefined);
    const t = Date.now();
    for (let i = 0; i < 100; i += 1) await unpaced.take(10);
    expect(Date.now() - t).toBeLessThan(50);
  });

  it('uses the default credential chain for an AWS endpoint', async () => {
    const local = sqsClientFor({ AWS_REGION: 'us-east-1', SQS_ENDPOINT: 'http://127.0.0.1:4566' });
    const aws = sqsClientFor({ AWS_REGION: 'us-east-1', SQS_ENDPOINT: 'https://sqs.us-east-1.amazonaws.com' });
    expect(await local.config.credentials()).toMatchObject({ accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local' });
    expect(aws.config.endpoint).toBeUndefined();
    local.destroy();
    aws.destroy();
  });
});

describe('parseJobKey', () => {
  it('splits a BullMQ job key into queue and id under the deployment\'s prefix', () => {
    expect(parseJobKey('cs:bull:embed:embed-topics-abc', 'cs:bull')).toEqual({ queue: 'embed', id: 'embed-topics-abc' });
    expect(parseJobKey('other:bull:embed:x', 'cs:bull')).toBeUndefined();
    expect(parseJobKey('cs:bull:nope:x', 'cs:bull')).toBeUndefined();
    expect(parseJobKey('cs:bull:embed', 'cs:bull')).toBeUndefined();
  });
});

describe('ProgressBar', () => {
  it('redraws one line on a terminal and ends it', () => {
    const out: string[] = [];
    const bar = new ProgressBar({ isTTY: true, write: (text: string) => out.push(text) }, 'replay', 4, 8);
    bar.update(1, 'moved');
    bar.finish(4, 'moved');
    expect(out[0]).toBe('\rreplay [##------] 1/4 moved\u001b[K');
    expect(out.at(-1)).toBe('\rreplay [########] 4/4 moved\u001b[K\n');
  });

  it('prints whole lines elsewhere, and grows the total when more turn up', () => {
    const out: string[] = [];
    const bar = new ProgressBar({ write: (text: string) => out.push(text) }, 'replay', 2, 4);
    bar.update(1);
    bar.finish(3);
    expect(out).toEqual(['replay [##--] 1/2\n', 'replay [####] 3/3\n']);
    const unknown: string[] = [];
    new ProgressBar({ write: (text: string) => unknown.push(text) }, 'replay', undefined).finish(5, 'moved');
    expect(unknown).toEqual(['replay 5 moved\n']);
  });
});

describe('ProgressBar throttling', () => {
  it('always shows the final state, even when the last update was throttled away', () => {
    const out: string[] = [];
    const bar = new ProgressBar({ write: (text: string) => out.push(text) }, 'replay', 3, 3);
    bar.update(1);
    bar.update(3);
    bar.finish(3);
    expect(out).toEqual(['replay [#--] 1/3\n', 'replay [###] 3/3\n']);
  });
});
