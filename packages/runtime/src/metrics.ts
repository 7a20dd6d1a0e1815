import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  register,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Registry,
} from 'prom-client';

export { Counter, Gauge, Histogram, Registry, register as defaultRegistry } from 'prom-client';

/**
 * Every process exposes prom-client's default registry: Node's process metrics (CPU, memory,
 * event loop lag, GC, handles) plus coldstart's own, all named `coldstart_*`. Metrics are
 * created get-or-create by name, so a module (or a test) that builds a second pool in one
 * process shares the first one's series instead of failing on a duplicate registration.
 */

const withDefaults = new WeakSet<Registry>();

/** Registers Node's process metrics once per registry. */
export function collectProcessMetrics(registry: Registry = register): Registry {
  if (!withDefaults.has(registry)) {
    withDefaults.add(registry);
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

type WithRegistry<C> = Omit<C, 'registers'> & { registry?: Registry };

function existing<M>(name: string, registry: Registry, isKind: (metric: unknown) => metric is M): M | undefined {
  const found = registry.getSingleMetric(name);
  if (found === undefined) return undefined;
  if (!isKind(found)) throw new Error(`metric ${name} is already registered as another type`);
  return found;
}

export function counter<L extends string>(config: WithRegistry<CounterConfiguration<L>>): Counter<L> {
  const { registry = register, ...rest } = config;
  return existing(config.name, registry, (m): m is Counter<L> => m instanceof Counter) ?? new Counter<L>({ ...rest, registers: [registry] });
}

export function gauge<L extends string>(config: WithRegistry<GaugeConfiguration<L>>): Gauge<L> {
  const { registry = register, ...rest } = config;
  return existing(config.name, registry, (m): m is Gauge<L> => m instanceof Gauge) ?? new Gauge<L>({ ...rest, registers: [registry] });
}

export function histogram<L extends string>(config: WithRegistry<HistogramConfiguration<L>>): Histogram<L> {
  const { registry = register, ...rest } = config;
  return existing(config.name, registry, (m): m is Histogram<L> => m instanceof Histogram) ?? new Histogram<L>({ ...rest, registers: [registry] });
}

/** Seconds, from sub-millisecond Redis round trips to a minute-long job. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
