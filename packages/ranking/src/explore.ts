import type { Exploration, RankedItem, Reason } from './types.js';

/**
 * Exploration, as Amazon Personalize's `explorationWeight`: a share `weight` of the list's
 * slots may go to explorable items (new, with little behaviour). Position i (1-based) is due an
 * explorable item once fewer than ceil(i × weight) of the first i are explorable: with 0.3,
 * positions 1, 4 and 7 of a 10-item list (the first slot is where a new item is seen at all:
 * starting at 4, 7 and 10 instead, new books ranked for new-items test users scored NDCG@10
 * 0.054 on goodbooks fold a, against 0.095). An explorable item that earned its place on its
 * score counts towards the share; an exploration slot goes to the best-scoring explorable
 * candidate not yet listed (predicted relevance: placement, content, topics; never chance
 * alone), and the items ranked on evidence fill the rest in their order. Every prefix of a
 * list is the list a shorter one would be, so the top 10 of a 20-item list is the 10-item list.
 * The reason of an item in an exploration slot says so: `new-in:<topic>` when a topic found
 * it, `exploring` otherwise.
 */
export function explore(
  merit: readonly RankedItem[],
  candidates: readonly RankedItem[],
  exploration: Exploration,
  topN: number,
  seedSimilarity: (itemId: string) => number = () => 0,
): RankedItem[] {
  const weight = Math.min(1, Math.max(0, exploration.weight));
  if (weight === 0) return [...merit];
  const explorers = orderExplorers(
    candidates.filter((c) => exploration.isExplorable(c.itemId)),
    (c) =>
      c.score +
      exploration.uptakeWeight * Math.log1p(exploration.uptake?.(c.itemId) ?? 0) +
      exploration.seedWeight * seedSimilarity(c.itemId) +
      (exploration.sharesAuthor?.(c.itemId) ? exploration.authorWeight : 0),
  );
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
 * Orders explorers by their score plus `uptakeWeight` × ln(1 + their likes so far) plus
 * `seedWeight` × their content similarity to the closest of the user's items, plus
 * `authorWeight` when they share an author with one of the user's items. A new item new readers
 * are already taking to is the better bet (explore, then exploit what the first readers say),
 * and what a new item shares with what the user named (its text, its author) is the evidence it
 * has that does not have to be predicted. The likes term was tuned on goodbooks folds a and b
 * at `--seed 42` (new-items protocol, NDCG@10 on the new books, a / b: likes over the
 * most-liked explorer's 0.085 / 0.246, 0.1 × ln(1 + likes) 0.091 / 0.253). The similarity and
 * author weights over four splits of a and b (`--seed 42, 7, 1, 2`), whose mean NDCG@10 was
 * 0.189 with neither, 0.184 with 0.3 each (the first choice, from seed 42 alone), 0.191 with
 * 0.15 each: no setting helped on every split; docs/behaviour.md has the table.
 */
function orderExplorers(explorers: RankedItem[], key: (c: RankedItem) => number): RankedItem[] {
  return explorers
    .map((c) => ({ c, key: key(c) }))
    .sort((x, y) => y.key - x.key || (x.c.itemId < y.c.itemId ? -1 : x.c.itemId > y.c.itemId ? 1 : 0))
    .map((k) => k.c);
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
  /** How much ln(1 + a new item's likes so far) adds when explorers are chosen. */
  uptakeWeight: number;
  /** How much a new item's content similarity to the closest of the user's items adds when explorers are chosen. */
  seedWeight: number;
  /** What a new item sharing an author with one of the user's items adds when explorers are chosen. */
  authorWeight: number;
}

/**
 * The exploration a list gets at `nowMs`, given when each candidate was added and how many
 * likes it has; undefined when off, and for a user every one of whose own items (seeds, seen)
 * is itself explorable. Exploration places new items relative to what the user liked, through
 * the co-occurrence of those items' readers; when every item the user named is new, the list
 * is already built from predictions, and its exploration slots went to guesses from guesses.
 * On goodbooks folds a and b (cold-seed protocol: the signup names a new book) the best
 * explorer was a later like of the user's 4 % (a) and 13 % (b) of the time, against 29 % and
 * 42 % for the list's first item on evidence, and exploring cut NDCG@10 from 0.274 to 0.195 (a)
 * and 0.380 to 0.307 (b), below most-popular (0.252, 0.354); without exploration for those
 * users, new books ranked for new-items test users fell from 0.095 to 0.085 (a) and 0.272 to
 * 0.246 (b) (the 11–12 % of them whose first book was new lost their slots).
 */
export function explorationAt(
  settings: ExplorationSettings,
  known: {
    userItems: Iterable<string>;
    addedAt(itemId: string): number | undefined;
    likes(itemId: string): number;
    uptake?(itemId: string): number;
    authors?(itemId: string): readonly string[] | undefined;
  },
  nowMs: number,
): Exploration | undefined {
  if (settings.weight <= 0) return undefined;
  const since = nowMs - settings.maxAgeDays * 86_400_000;
  const isExplorable = (itemId: string) => {
    const added = known.addedAt(itemId);
    return added !== undefined && added > since && known.likes(itemId) <= settings.maxLikes;
  };
  const userItems = [...known.userItems];
  if (userItems.every(isExplorable)) return undefined;
  const exploration: Exploration = { uptakeWeight: settings.uptakeWeight, seedWeight: settings.seedWeight, authorWeight: settings.authorWeight, weight: settings.weight, isExplorable };
  if (known.uptake) exploration.uptake = known.uptake;
  const authors = known.authors;
  if (authors) {
    const theirs = new Set(userItems.flatMap((itemId) => (authors(itemId) ?? []).map(authorKey)));
    exploration.sharesAuthor = (itemId) => (authors(itemId) ?? []).some((author) => theirs.has(authorKey(author)));
  }
  return exploration;
}

/** Authors compare without case, Unicode compatibility forms or repeated blanks: "J.K. Rowling" and "j.k.  rowling" are one. */
function authorKey(author: string): string {
  return author.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}
