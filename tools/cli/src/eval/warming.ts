/** One point of a warming curve: a pipeline's list after `interactions` interactions (0: at signup). */
export interface WarmingPoint extends PointMetrics {
  interactions: number;
  /** The system the point is, in `systems` (and in --dump). */
  system: string;
}

/** What a point shows of its system's metrics. */
interface PointMetrics {
  ndcg: number;
  ndcgCi: [number, number];
  recall: number;
  recallCi: [number, number];
}

/** `--protocol warming`'s part of the report: each pipeline from signup to warm, on the same users and the same relevant books. */
export interface WarmingReport {
  steps: number[];
  curves: { pipeline: string; points: WarmingPoint[] }[];
}

/** The name a pipeline's list goes by once the user has sent `n` interactions; at signup, its own. */
export function afterInteractions(pipeline: string, n: number): string {
  if (n === 0) return pipeline;
  return `${pipeline} after ${n} interaction${n === 1 ? '' : 's'}`;
}

export function warmingReport(pipelines: readonly string[], steps: readonly number[], metrics: readonly (PointMetrics & { name: string })[]): WarmingReport {
  const all = [0, ...steps];
  return {
    steps: all,
    curves: pipelines.map((pipeline) => ({
      pipeline,
      points: all.flatMap((interactions) => {
        const m = metrics.find((s) => s.name === afterInteractions(pipeline, interactions));
        return m ? [{ interactions, system: m.name, ndcg: m.ndcg, ndcgCi: m.ndcgCi, recall: m.recall, recallCi: m.recallCi }] : [];
      }),
    })),
  };
}
