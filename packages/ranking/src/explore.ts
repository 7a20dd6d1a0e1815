import type { Exploration, RankedItem, Reason } from './types.js';

/**
 * Exploration, as Amazon Personalize's `explorationWeight`: a share `weight` of the list's
 * slots may go to explorable items (new, with little behaviour). Position i (1-based) is due an
 * explorable item once fewer than floor(i × weight) of the first i are explorable: with 0.3,
 * positions 4, 7 and 10 of a 10-item list. An explorable item that earned its place on its
 * score counts towards the share; an exploration slot goes to the best-scoring explorable
 * candidate not yet listed (predicted relevance: placement, content, topics; never chance
 * alone), and the items ranked on evidence fill the rest in their order. Every prefix of a
 * list is the list a shorter one would be, so the top 10 of a 20-item list is the 10-item list.
 * The reason of an item in an exploration slot says so: `new-in:<topic>` when a topic found
 * it, `exploring` otherwise.
 */
export function explore(merit: readonly RankedItem[], candidates: readonly RankedItem[], exploration: Exploration, topN: number): RankedItem[] {
  const weight = Math.min(1, Math.max(0, exploration.weight));
  if (weight === 0) return [...merit];
  const explorers = candidates.filter((c) => exploration.isExplorable(c.itemId));
  if (exploration.uptake && exploration.uptakeWeight > 0) prioritiseUptake(explorers, exploration.uptake, exploration.uptakeWeight);
  const listed = new Set<string>();
  const out: RankedItem[] = [];
  let explored = 0;
  let nextMerit = 0;
  let nextExplorer = 0;
  const take = (item: RankedItem) => {
    listed.add(item.itemId);
    out.push(item);
    if (exploration.isExplorable(item.itemId)) explored++;
  };
  while (out.length < topN) {
    const due = Math.ceil((out.length + 1) * weight - 1e-9);
    while (nextExplorer < explorers.length && listed.has((explorers[nextExplorer] as RankedItem).itemId)) nextExplorer++;
    while (nextMerit < merit.length && listed.has((merit[nextMerit] as RankedItem).itemId)) nextMerit++;
    const explorer = explorers[nextExplorer];
    const earned = merit[nextMerit];
    if (explorer && (explored < due || !earned)) {
      const onMerit = earned?.itemId === explorer.itemId;
      take(onMerit ? earned : { ...explorer, reason: explorationReason(explorer.reason) });
    } else if (earned) {
      take(earned);
    } else {
      break;
    }
  }
  return out;
}

/**
 * Orders explorers by score plus `weight` × their likes so far over the most-liked explorer's:
 * a new item new readers are already taking to is the better bet (explore, then exploit what
 * the first readers say). Tuned on goodbooks folds a and b (new-items protocol, NDCG@10 on the
 * new books, a / b): weight 0 0.093 / 0.213, 0.1 0.094 / 0.271, 0.3 0.100 / 0.258, 1 0.094 /
 * 0.234, 3 0.088 / 0.226 (0 and 1–3 measured before the cold-seed anchor weighting, which
 * moved 0.3 from 0.099 / 0.256).
 */
function prioritiseUptake(explorers: RankedItem[], uptake: (itemId: string) => number, weight: number): void {
  let most = 0;
  for (const c of explorers) most = Math.max(most, uptake(c.itemId));
  if (most === 0) return;
  const keyed = explorers.map((c) => ({ c, key: c.score + (weight * uptake(c.itemId)) / most }));
  keyed.sort((x, y) => y.key - x.key || (x.c.itemId < y.c.itemId ? -1 : x.c.itemId > y.c.itemId ? 1 : 0));
  explorers.splice(0, explorers.length, ...keyed.map((k) => k.c));
}

function explorationReason(found: Reason): Reason {
  return found.kind === 'topic' ? { kind: 'new-in', source: found.source, similarity: found.similarity } : { kind: 'exploring', source: '', similarity: found.similarity };
}

export interface ExplorationSettings {
  /** The share of a list (0–1) that may go to new items; 0 turns exploration off. */
  weight: number;
  /** An item is new for this many days after it was first upserted. */
  maxAgeDays: number;
  /** …and while at most this many of its likes taught co-occurrence (too few for the behaviour model to speak for it). */
  maxLikes: number;
  /** How much a new item's likes so far (over the most-liked explorer's) add when explorers are chosen. */
  uptakeWeight: number;
}

/** The exploration a list gets at `nowMs`, given when each candidate was added and how many likes it has; undefined when off. */
export function explorationAt(
  settings: ExplorationSettings,
  item: { addedAt(itemId: string): number | undefined; likes(itemId: string): number; uptake?(itemId: string): number },
  nowMs: number,
): Exploration | undefined {
  if (settings.weight <= 0) return undefined;
  const since = nowMs - settings.maxAgeDays * 86_400_000;
  return {
    ...(item.uptake ? { uptake: item.uptake } : {}),
    uptakeWeight: settings.uptakeWeight,
    weight: settings.weight,
    isExplorable: (itemId) => {
      const added = item.addedAt(itemId);
      return added !== undefined && added > since && item.likes(itemId) <= settings.maxLikes;
    },
  };
}
