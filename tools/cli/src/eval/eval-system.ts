import type { Reason } from '@coldstart/ranking';
import type { EvalCase } from './eval-protocol.js';

export type SystemKind = 'baseline' | 'pipeline' | 'reference';

/** One user's top-K, best first (item ids as the catalog holds them), with the pipeline's explanation when there is one. */
export interface Recommendation {
  itemIds: string[];
  topics?: string[];
  reasons?: Reason[];
}

export interface EvalSystem {
  name: string;
  kind: SystemKind;
  recommend(user: EvalCase, k: number): Promise<Recommendation>;
}
