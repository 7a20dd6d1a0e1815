import { decodeVectorBase64, encodeVectorBase64 } from '@coldstart/embeddings';
import { DEFAULT_RANKING, searchedSeeds, type RankWeights } from '@coldstart/ranking';
import type { UserProfile } from '@coldstart/store';
import type { UpsertUserVectorData } from '../index/jobs.js';

/** Seed and seen items searched per list (the user-vector uses the same ones); see RankingSettings.maxSeeds. */
export const MAX_SEED_ITEMS = DEFAULT_RANKING.maxSeeds;

/**
 * A user's interest vector: the direction the ranking's content score points in. Fusion scores
 * an item by Σ wᵢ·cos(item, topicᵢ) + Σ (seed weight / seeds)·cos(item, seedⱼ) with
 * wᵢ = topic weight · decayⁱ / Σ decayʲ, which (for unit vectors) is the item's dot product with
 * Σ wᵢ·topicᵢ + Σ (seed weight / seeds)·seedⱼ. That sum, normalised, is the vector: the users it
 * is closest to are the ones whose lists the item can enter. It uses the same seeds buildList
 * searches (the first MAX_SEED_ITEMS seen items the index holds). Undefined when the user has
 * neither topic vectors nor seeds with vectors, or when the weights cancel them out.
 */
export function userInterestVector(input: { topicVectors: readonly Float32Array[]; seedVectors: readonly Float32Array[]; weights: Pick<RankWeights, 'topic' | 'seed' | 'topicDecay'> }): Float32Array | undefined {
  const { topicVectors, seedVectors, weights } = input;
  const dimension = topicVectors[0]?.length ?? seedVectors[0]?.length;
  if (dimension === undefined) return undefined;
  const sum = new Float32Array(dimension);
  const add = (vector: Float32Array, weight: number) => {
    if (vector.length !== dimension) throw new RangeError(`interest vector parts differ in dimension (${vector.length} vs ${dimension})`);
    // apply, not a spread: the same norm, without an iterator step per component.
    const norm = hypot(vector);
    if (norm === 0 || weight === 0) return;
    for (let i = 0; i < dimension; i++) sum[i] = (sum[i] as number) + (weight * (vector[i] as number)) / norm;
  };
  const topicNorm = topicVectors.reduce((total, _, i) => total + weights.topicDecay ** i, 0);
  topicVectors.forEach((vector, i) => add(vector, (weights.topic * weights.topicDecay ** i) / topicNorm));
  for (const vector of seedVectors) add(vector, weights.seed / seedVectors.length);
  const norm = hypot(sum);
  if (!(norm > 1e-9)) return undefined;
  return sum.map((x) => x / norm);
}

function hypot(vector: Float32Array): number {
  return Math.hypot.apply(null, vector as unknown as number[]);
}

export interface UserVectorDeps {
  /** The same lookup buildList uses (the item replica, caught up by the build just before). */
  itemVector: (encoder: string, itemId: string) => Float32Array | undefined;
  weights: Pick<RankWeights, 'topic' | 'seed' | 'topicDecay'>;
}

/** `seen`: the user's seen items the list was just built from (PreparedList.signals.exclude). */
export type UserVectorEntry = (profile: UserProfile, event: { eventId: string; occurredAt: string }, seen: ReadonlySet<string>) => UpsertUserVectorData | undefined;

/**
 * What recommend-user and refresh-user compute after storing a list: the user's interest vector
 * and the event's time as their last activity, for the index pool's single writer (graph.ts:
 * → upsert-user-vector, one job for a batch's users). Undefined when the user has no vector.
 */
export function makeUserVectorEntry(deps: UserVectorDeps): UserVectorEntry {
  return (profile, event, seen) => {
    const seedVectors = searchedSeeds([...seen].sort(), MAX_SEED_ITEMS)
      .map((id) => deps.itemVector(profile.encoder, id))
      .filter((vector): vector is Float32Array => vector !== undefined);
    const topicVectors = profile.vectors.map((vector) => decodeVectorBase64(vector, profile.dimension));
    const vector = userInterestVector({ topicVectors, seedVectors, weights: deps.weights });
    if (!vector) return undefined;
    return {
      eventId: event.eventId,
      occurredAt: event.occurredAt,
      userId: profile.userId,
      encoder: profile.encoder,
      dimension: profile.dimension,
      vector: encodeVectorBase64(vector),
    };
  };
}
