import type { ReplicaSet } from '@coldstart/index-log';
import { counter } from '@coldstart/runtime';

/**
 * coldstart_search_cache_reads_total{index, outcome}: how the item indexes' kept search answers
 * (packages/vector-index/src/search-cache.ts) served this process's searches, read from each
 * replica's index on scrape. A low `answered` share means the users' topics and seeds rarely
 * repeat between catalog changes, and the searches cost what they did without the cache.
 */
export function reportSearchCache(replicas: ReplicaSet): void {
  counter({
    name: 'coldstart_search_cache_reads_total',
    help: 'Searches of an item index by how its kept answers served them: answered (caught_up of them after writes), missed, dropped (too many writes behind), short (too many exclusions).',
    labelNames: ['index', 'outcome'] as const,
    collect(this: { reset(): void; inc(labels: { index: string; outcome: string }, value: number): void }) {
      this.reset();
      for (const replica of replicas.all()) {
        const stats = replica.index?.searchCacheStats;
        if (!stats) continue;
        for (const [outcome, value] of [['answered', stats.answered], ['caught_up', stats.caughtUp], ['missed', stats.missed], ['dropped', stats.dropped], ['short', stats.short]] as const) {
          this.inc({ index: replica.indexName, outcome }, value);
        }
      }
    },
  });
}
