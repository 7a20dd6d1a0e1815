import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { createHops, createPipelineFlows, createPipelineProducer, LearnResult, QUEUES, type LearnedInteraction } from '@coldstart/pipeline';
import { createRedis, jobIdFor, QueuePartitions } from '@coldstart/queues';
import type { OpsConfig } from '../config.js';
import type { LineProblem } from '../events/events-send.js';
import { InFlight } from '../in-flight.js';
import type { NumberedLine } from '../input-lines.js';
import { ProgressBar, type ProgressStream } from '../progress.js';
import { CsvInteractions, jsonlInteraction, type ImportFormat, type RowResult } from './interaction-rows.js';

/**
 * The contract of `interactions import --json`. `imported`: rows the behaviour model took in
 * for the first time (a like logged, or a rating below the like threshold remembered as seen);
 * `duplicates`: rows it already had (the same eventId, or a like of an item the user had
 * liked); `likes`: the imported rows that were likes. A second import of a file reports every
 * row as a duplicate.
 */
export interface ImportSummary {
  imported: number;
  duplicates: number;
  invalid: number;
  likes: number;
  /** Valid rows in batches the index pool failed for good (reported with their lines). */
  failed: number;
}

export interface ImportIo {
  progress: ProgressStream;
  problem: (problem: LineProblem) => void;
}

export interface ImportOptions {
  format: ImportFormat;
  /** Lines in the input, when known: the progress bar's total. */
  totalLines?: number | undefined;
  /** Give up when no batch finished for this long (the index pool is not running?). */
  stallMs?: number | undefined;
}

/** The most a learn-interactions job takes. */
export const BATCH_ROWS = 1_000;
/**
 * Batches queued and not yet learned: as many as the index pool runs at once (POOL_CONCURRENCY's
 * default), so it always has the next batch waiting while the importer reads and sends more.
 */
const IN_FLIGHT = 8;
const DEFAULT_STALL_MS = 120_000;

/** No batch finished for a long while: the whole import stops, since later ones would not finish either. */
export class ImportStalledError extends Error {
  override readonly name = 'ImportStalledError';
}

/** Waits for learn-interactions jobs by id, from the event streams of the index queue's partitions. */
class LearnedBatches {
  private readonly waiting = new Map<string, { resolve: (result: LearnResult) => void; reject: (error: Error) => void }>();
  private lastProgressAt = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(streams: readonly QueueEvents[], stallMs: number) {
    for (const events of streams) this.listen(events);
    this.timer = setInterval(() => {
      if (this.waiting.size === 0 || Date.now() - this.lastProgressAt < stallMs) return;
      const stalled = new ImportStalledError(`no batch was learned for ${Math.round(stallMs / 1_000)} s: is worker-index running for this COLDSTART_PREFIX? The ${this.waiting.size} batches queued are learned once it runs`);
      for (const waiter of this.waiting.values()) waiter.reject(stalled);
      this.waiting.clear();
    }, 1_000);
  }

  private listen(events: QueueEvents): void {
    events.on('completed', ({ jobId, returnvalue }) => this.settle(jobId, (waiter) => waiter.resolve(LearnResult.parse(typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue))));
    events.on('failed', ({ jobId, failedReason }) => this.settle(jobId, (waiter) => waiter.reject(new Error(failedReason))));
  }

  /** Registered before the job is added, so its completion cannot be missed. */
  expect(jobId: string): Promise<LearnResult> {
    if (this.waiting.size === 0) this.lastProgressAt = Date.now();
    const finished = new Promise<LearnResult>((resolve, reject) => this.waiting.set(jobId, { resolve, reject }));
    // Awaited once its job is added; when the add fails, nobody does, and a stall must not crash the process for it.
    finished.catch(() => {});
    return finished;
  }

  private settle(jobId: string, finish: (waiter: { resolve: (result: LearnResult) => void; reject: (error: Error) => void }) => void): void {
    const waiter = this.waiting.get(jobId);
    if (!waiter) return;
    this.waiting.delete(jobId);
    this.lastProgressAt = Date.now();
    finish(waiter);
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/**
 * Backfills interactions into the behaviour model through the index pool, its single writer:
 * rows go in batches of 1,000 as learn-interactions jobs (graph.ts's `learnHistory` hop), the
 * same job the ingest queues for a live interaction, under the writer's lease and fencing token.
 * Rows are learned in file order within a batch; a few batches are in flight at once. Each row
 * counts once however often it is imported (by its eventId), so a re-import changes nothing.
 * Lists are not touched: a user's list is rebuilt by their next event.
 */
export async function interactionsImport(config: OpsConfig, lines: AsyncIterable<NumberedLine>, options: ImportOptions, io: ImportIo): Promise<ImportSummary> {
  const redis = createRedis(config.REDIS_URL, 'producer');
  const partitions = QueuePartitions.of(config);
  const producer = createPipelineProducer(redis, partitions);
  const flows = createPipelineFlows(redis, partitions);
  const hops = createHops(producer, flows);
  // Each partition's index queue, and its events from now on (on a connection of its own: the
  // stream is read with a blocking XREAD): every batch is added after this point, so none of
  // their completions is missed.
  const indexQueues = partitions.queues(QUEUES.index.name, redis);
  const eventsConnections = partitions.prefixes.map(() => createRedis(config.REDIS_URL, 'worker'));
  const streams = await Promise.all(
    partitions.prefixes.map(async (prefix, i) => {
      const newest = (await redis.xrevrange(`${prefix}:${QUEUES.index.name}:events`, '+', '-', 'COUNT', 1)) as [string, string[]][];
      return new QueueEvents(QUEUES.index.name, { connection: eventsConnections[i]!, prefix, lastEventId: newest[0]?.[0] ?? '0' });
    }),
  );
  const batches = new LearnedBatches(streams, options.stallMs ?? DEFAULT_STALL_MS);
  const run = randomUUID();
  const summary: ImportSummary = { imported: 0, duplicates: 0, invalid: 0, likes: 0, failed: 0 };
  const bar = new ProgressBar(io.progress, 'import', options.totalLines);
  let read = 0;
  const detail = () => `(${summary.imported} imported, ${summary.duplicates} duplicates, ${summary.invalid} invalid${summary.failed > 0 ? `, ${summary.failed} failed` : ''})`;
  const report = (problem: LineProblem) => {
    bar.interrupt();
    io.problem(problem);
  };
  const inFlight = new InFlight(IN_FLIGHT);
  let batchNumber = 0;
  const learn = async (rows: { line: number; interaction: LearnedInteraction }[]) => {
    // Keyed by this run: a re-sent add within the run is absorbed, and a second import of the file is learned (as duplicates) anew.
    const key = `import:${run}:${(batchNumber += 1)}`;
    const jobId = jobIdFor('learn-interactions', key);
    const learned = batches.expect(jobId);
    await hops.learnHistory({ eventId: key, interactions: rows.map((row) => row.interaction) });
    const result = await learned.catch((error: unknown) => {
      if (error instanceof ImportStalledError) throw error;
      summary.failed += rows.length;
      report({ line: rows[0]?.line ?? 0, error: `lines ${rows[0]?.line}–${rows.at(-1)?.line} not imported: ${(error as Error).message}` });
      return undefined;
    });
    if (result) {
      // Its rows (~100 KB) would otherwise stay an hour with the completed job: a large backfill would fill Redis with them.
      await indexQueues[partitions.partitionOf(jobId)]!.remove(jobId);
      summary.imported += result.learned + result.negatives;
      summary.duplicates += result.duplicates + result.repeats;
      summary.likes += result.learned;
    }
    bar.update(read, detail());
  };

  const csv = new CsvInteractions(new Date().toISOString());
  const parse = (text: string): RowResult | undefined => (options.format === 'jsonl' ? jsonlInteraction(text) : csv.isData(text) ? csv.row(text) : undefined);
  try {
    await Promise.all(streams.map((events) => events.waitUntilReady()));
    let rows: { line: number; interaction: LearnedInteraction }[] = [];
    for await (const { line, text } of lines) {
      read = line;
      const result = parse(text);
      if (!result) continue;
      if (!result.ok) {
        summary.invalid += 1;
        report({ line, error: result.error });
        continue;
      }
      rows.push({ line, interaction: result.interaction });
      if (rows.length === BATCH_ROWS) {
        const batch = rows;
        rows = [];
        await inFlight.run(() => learn(batch));
      }
    }
    if (rows.length > 0) await inFlight.run(() => learn(rows));
    await inFlight.drain();
    bar.finish(read, detail());
    return summary;
  } catch (error) {
    await inFlight.drain().catch(() => {});
    bar.interrupt();
    throw error;
  } finally {
    batches.close();
    await Promise.all(streams.map((events) => events.close()));
    await Promise.all([producer.close(), flows.close(), ...indexQueues.map((queue) => queue.close())]);
    await Promise.all([redis, ...eventsConnections].map((connection) => connection.quit())).catch(() => {});
  }
}

export function renderImport(summary: ImportSummary): string {
  return `imported ${summary.imported} (${summary.likes} likes), duplicates ${summary.duplicates}, invalid ${summary.invalid}${summary.failed > 0 ? `, failed ${summary.failed}` : ''}`;
}
