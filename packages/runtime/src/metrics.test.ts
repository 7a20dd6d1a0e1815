import { describe, expect, it } from 'vitest';
import { collectProcessMetrics, counter, gauge, histogram, Registry } from './metrics.js';

describe('metrics', () => {
  it('creates a metric once per registry and name, and shares it afterwards', async () => {
    const registry = new Registry();
    const first = counter({ name: 'coldstart_test_total', help: 'test', labelNames: ['outcome'] as const, registry });
    const again = counter({ name: 'coldstart_test_total', help: 'test', labelNames: ['outcome'] as const, registry });
    expect(again).toBe(first);
    first.inc({ outcome: 'ok' });
    again.inc({ outcome: 'ok' }, 2);
    expect(await registry.metrics()).toContain('coldstart_test_total{outcome="ok"} 3');
    // Another registry has its own.
    const other = new Registry();
    expect(counter({ name: 'coldstart_test_total', help: 'test', registry: other })).not.toBe(first);
  });

  it('refuses one name for two metric types', () => {
    const registry = new Registry();
    gauge({ name: 'coldstart_thing', help: 'test', registry });
    expect(() => histogram({ name: 'coldstart_thing', help: 'test', registry })).toThrow(/another type/);
  });

  it('collects gauges on scrape and histograms with their buckets', async () => {
    const registry = new Registry();
    let depth = 4;
    gauge({
      name: 'coldstart_depth',
      help: 'test',
      registry,
      collect() {
        this.set(depth);
      },
    });
    histogram({ name: 'coldstart_batch', help: 'test', buckets: [1, 8], registry }).observe(5);
    expect(await registry.metrics()).toContain('coldstart_depth 4');
    depth = 7;
    const text = await registry.metrics();
    expect(text).toContain('coldstart_depth 7');
    expect(text).toContain('coldstart_batch_bucket{le="1"} 0');
    expect(text).toContain('coldstart_batch_bucket{le="8"} 1');
  });

  it("adds Node's process metrics once", async () => {
    const registry = new Registry();
    collectProcessMetrics(registry);
    collectProcessMetrics(registry);
    const text = await registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
    expect(text.match(/^# TYPE process_cpu_user_seconds_total/gm)).toHaveLength(1);
  });
});
