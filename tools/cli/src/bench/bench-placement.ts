import type { Command } from 'commander';
import { Placement, type ItemVectors, type PlacementBehaviour, type ScoredItem } from '@coldstart/behaviour';
import { positiveIntListOption } from '@coldstart/ops';
import { seededRandom } from '@coldstart/runtime';

const DIMENSION = 100;
/** Neighbours per item, as the behaviour model keeps them (BEHAVIOUR_MAX_NEIGHBOURS). */
const NEIGHBOURS = 100;
/** The most seeds a list searches (RankingSettings.maxSeeds). */
const SEEDS = Array.from({ length: 20 }, (_, i) => `i${2 * i}`);

export interface PlacementBenchRow {
  items: number;
  /** Items with enough paired likes to train on (half the catalog here). */
  warm: number;
  fitMs: number;
  /** Heap the fitted map holds (weights, means), MB. */
  fitHeapMb: number;
  /** Predicting every cold item once (the refit does it in the background, after the fit). */
  placeAllMs: number;
  placeAllHeapMb: number;
  /** A later list's placement of 20 seeds, the most a list searches (predictions cached). */
  listMs: number;
}

/**
 * The production Placement.fit and Placement.neighbours on a synthetic catalog of `items`
 * 100-dimensional items (GloVe's size), half of them warm, each anchor with the behaviour
 * model's 100 neighbours: what fitting and placing cost as the catalog grows.
 */
export function benchPlacement(items: number): PlacementBenchRow {
  const random = seededRandom('bench-placement', items);
  const data = new Float32Array(items * DIMENSION);
  for (let i = 0; i < data.length; i++) data[i] = random() - 0.5;
  const ids = Array.from({ length: items }, (_, i) => `i${i}`);
  const index: ItemVectors = { ids: () => ids.values(), vector: (id) => data.subarray(Number(id.slice(1)) * DIMENSION, (Number(id.slice(1)) + 1) * DIMENSION) };
  // Even items are warm, liked more the lower their number; each warm item's neighbours are 100 other warm items.
  const warm = (id: string) => Number(id.slice(1)) % 2 === 0;
  // Held in maps, as the behaviour model holds them, so reading them costs what it costs there.
  const likeCounts = new Map(ids.map((id, i) => [id, i % 2 === 0 ? 5 + Math.floor(items / (1 + i)) : 0]));
  const likes = (id: string) => likeCounts.get(id) ?? 0;
  const behaviour: PlacementBehaviour = {
    likeCount: likes,
    pairedLikeCount: likes,
    alsoLiked: (id: string): ScoredItem[] => {
      if (!warm(id)) return [];
      const n = Number(id.slice(1));
      return Array.from({ length: NEIGHBOURS }, (_, k) => {
        // A spread of other items, rounded down to an even (warm) one.
        const other = (n + 2 * (k + 1) * 7919) % items;
        return { itemId: `i${other - (other % 2)}`, score: 1 / (k + 2) };
      });
    },
  };
  const heap = () => {
    const usage = process.memoryUsage();
    return (usage.heapUsed + usage.arrayBuffers) / 1e6;
  };
  global.gc?.();
  const before = heap();
  let started = performance.now();
  const placement = Placement.fit(index, behaviour);
  const fitMs = performance.now() - started;
  if (!placement) throw new Error('bench placement: nothing fitted');
  global.gc?.();
  const fitted = heap();
  started = performance.now();
  placement.placeAll();
  const placeAllMs = performance.now() - started;
  global.gc?.();
  const placed = heap();
  started = performance.now();
  placement.neighbours(SEEDS, 200);
  const listMs = performance.now() - started;
  return {
    items,
    warm: placement.trainedOn,
    fitMs: Math.round(fitMs),
    fitHeapMb: Number((fitted - before).toFixed(1)),
    placeAllMs: Math.round(placeAllMs),
    placeAllHeapMb: Number((placed - fitted).toFixed(1)),
    listMs: Number(listMs.toFixed(1)),
  };
}

export function registerBenchPlacementCommand(bench: Command): void {
  bench
    .command('placement')
    .description('what fitting the content → behaviour placement and placing new items cost as the catalog grows')
    .option('--items <sizes>', 'comma-separated catalog sizes', positiveIntListOption, [10_000, 100_000])
    .option('--json', 'print {"rows": [{"items", "warm", "fitMs", "fitHeapMb", "placeAllMs", "placeAllHeapMb", "listMs"}]}')
    .action((options: { items: number[]; json?: boolean }) => {
      const rows = options.items.map((items) => benchPlacement(items));
      if (options.json) {
        console.log(JSON.stringify({ rows }));
        return;
      }
      console.log(`placement on ${DIMENSION}-dimensional items, half of them warm (node --expose-gc for exact heap figures)`);
      for (const r of rows) {
        console.log(
          `  ${String(r.items).padStart(9)} items (${r.warm} warm): fit ${r.fitMs} ms, +${r.fitHeapMb} MB; placing every cold item ${r.placeAllMs} ms (+${r.placeAllHeapMb} MB of predictions); a list's 20 seeds ${r.listMs} ms`,
        );
      }
    });
}
