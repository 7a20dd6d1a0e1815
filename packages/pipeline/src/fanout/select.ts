import type { RecommendationList } from '@coldstart/store';

/** The pure parts of the new-item fan-out (fanout.processor.ts): windows, user choice, reasons. */

export interface FanoutSettings {
  /** The most users one new item can queue a rewrite for; 0 turns the fan-out off. */
  maxUsers: number;
  /** Cosine between the item and a user's interest vector below which the user is not considered. */
  minSimilarity: number;
  /** Only users active within this long (their last signup or interaction event) are considered. */
  activeWithinMs: number;
  /** A user's list is rewritten at most once per window of this length, however many items arrive. */
  windowMs: number;
}

/** The window a moment falls in: whole windows since the epoch, the same on every process. */
export function fanoutWindow(nowMs: number, windowMs: number): number {
  return Math.floor(nowMs / windowMs);
}

// The eventIds of fan-out writes live with the store (the chaos check tells them from duplicates).
export { fanoutEventId, isFanoutEventId } from '@coldstart/store';

/**
 * How long a user's rewrite for `window` waits: until the window ends (items arriving meanwhile
 * join it), plus a twentieth of a window so that processes whose clocks run a little behind
 * still add their items to it rather than to the next one.
 */
export function delayUntilDue(window: number, windowMs: number, nowMs: number): number {
  return Math.max(0, (window + 1) * windowMs - nowMs) + Math.ceil(windowMs / 20);
}

export interface UserHit {
  id: string;
  score: number;
}

/**
 * The users a new item is fanned out to: nearest first, at least `minSimilarity` close, active
 * since `activeSinceMs` (users never recorded as active are skipped), at most `maxUsers`.
 */
export function selectFanoutUsers(
  hits: readonly UserHit[],
  lastActive: ReadonlyMap<string, number>,
  settings: { maxUsers: number; minSimilarity: number; activeSinceMs: number },
): UserHit[] {
  const chosen: UserHit[] = [];
  for (const hit of hits) {
    if (chosen.length >= settings.maxUsers) break;
    if (hit.score < settings.minSimilarity) break; // hits are best first: nothing after is closer
    const active = lastActive.get(hit.id);
    if (active !== undefined && active >= settings.activeSinceMs) chosen.push(hit);
  }
  return chosen;
}

/**
 * Whether a search of `k` users may have missed qualifying ones: fewer than wanted were chosen,
 * the search returned all it was asked for, and its last hit was still close enough (inactive
 * users can crowd the nearest `k`; the next ones may be active).
 */
export function shouldWidenSearch(hits: readonly UserHit[], k: number, chosen: number, settings: { maxUsers: number; minSimilarity: number }, indexSize: number): boolean {
  const last = hits.at(-1);
  return chosen < settings.maxUsers && hits.length === k && k < indexSize && last !== undefined && last.score >= settings.minSimilarity;
}

export interface TopicVector {
  topic: string;
  vector: Float32Array;
}

function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -Infinity;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : -Infinity;
}

/** The user's topic closest to the item (the first of equals); undefined for a user without topics. */
export function closestTopic(topics: readonly TopicVector[], item: Float32Array): string | undefined {
  let best: { topic: string; similarity: number } | undefined;
  for (const { topic, vector } of topics) {
    const similarity = cosine(vector, item);
    if (!best || similarity > best.similarity) best = { topic, similarity };
  }
  return best?.topic;
}

export function newItemReason(topic: string): string {
  return `new in ${topic}`;
}

/**
 * The list with each new item's reason set to `new in <topic>`, the topic being the user's
 * closest to the item. An item without such a topic (the user has none, or its vector is gone)
 * keeps the reason ranking gave it (`seed:<itemId>` for a user without topics): a reader can
 * still match every reason to the list's `topics` or to a seed.
 */
export function labelNewItems(list: RecommendationList, newItems: ReadonlySet<string>, topicFor: (itemId: string) => string | undefined): RecommendationList {
  return {
    ...list,
    items: list.items.map((item) => {
      if (!newItems.has(item.itemId)) return item;
      const topic = topicFor(item.itemId);
      return topic === undefined ? item : { ...item, reason: newItemReason(topic) };
    }),
  };
}
