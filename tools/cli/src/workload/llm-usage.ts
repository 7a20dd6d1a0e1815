/** LLM counters summed over the expand processes, read from their /metrics endpoints. */
export interface LlmCounters {
  /** HTTP requests to the LLM server (retries and repair prompts included). */
  calls: number;
  cacheHits: number;
  coalescedWaits: number;
  fallbacks: number;
  /** Expand processes whose /metrics could not be read (their counts are missing). */
  unreachable: number;
}

const COUNTERS: Record<Exclude<keyof LlmCounters, 'unreachable'>, string> = {
  calls: 'coldstart_llm_calls_total',
  cacheHits: 'coldstart_llm_cache_hits_total',
  coalescedWaits: 'coldstart_llm_coalesced_waits_total',
  fallbacks: 'coldstart_llm_fallbacks_total',
};

/** Sum of every series of one counter in a Prometheus text exposition. */
export function sumCounter(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!wanted.every((label) => line.includes(label))) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

export async function readLlmCounters(metricsPorts: readonly number[]): Promise<LlmCounters> {
  const totals: LlmCounters = { calls: 0, cacheHits: 0, coalescedWaits: 0, fallbacks: 0, unreachable: 0 };
  await Promise.all(
    metricsPorts.map(async (port) => {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) });
        const text = await response.text();
        for (const [field, name] of Object.entries(COUNTERS) as [keyof typeof COUNTERS, string][]) totals[field] += sumCounter(text, name);
      } catch {
        totals.unreachable++;
      }
    }),
  );
  return totals;
}

/** What happened between two readings (the counters of a running stack keep earlier runs' counts). */
export function countersSince(before: LlmCounters, after: LlmCounters): LlmCounters {
  return {
    calls: after.calls - before.calls,
    cacheHits: after.cacheHits - before.cacheHits,
    coalescedWaits: after.coalescedWaits - before.coalescedWaits,
    fallbacks: after.fallbacks - before.fallbacks,
    unreachable: Math.max(before.unreachable, after.unreachable),
  };
}
