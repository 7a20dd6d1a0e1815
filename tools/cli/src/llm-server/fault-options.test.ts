import { FaultProfile } from '@coldstart/llm-server';
import { describe, expect, it } from 'vitest';
import { mergeFaultFlags } from './fault-options.js';

describe('mergeFaultFlags', () => {
  it('keeps the file where no flag is given and lets each given flag replace its field', () => {
    const file = { errors: { 503: 0.1 }, outputs: { fenced: 0.2 }, latency: { kind: 'uniform', minMs: 5, maxMs: 10 }, seed: 9 } as const;
    expect(mergeFaultFlags(file, {})).toEqual(file);
    expect(FaultProfile.parse(mergeFaultFlags(file, { latencyMs: 40, errorShare: 0.25, hangShare: 0.1, garbageShare: 0.3 }))).toMatchObject({
      latency: { kind: 'fixed', ms: 40 },
      errors: { 500: 0.25 },
      hangShare: 0.1,
      outputs: { fenced: 0.2, garbage: 0.3 },
      seed: 9,
    });
  });
});
