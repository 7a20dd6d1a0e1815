import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { UserSignup } from '@coldstart/events';
import { bookItemEvent, type Fold } from '@coldstart/goodbooks';
import { waitUntil } from '@coldstart/runtime';
import type { CliConfig } from '../config.js';
import type { EvalCase, EvalSplit } from '../eval/eval-protocol.js';
import { repoRoot } from '../repo-paths.js';

const run = promisify(execFile);

/** A test user of a fold split whose signup names a book. */
export type SeededCase = EvalCase & { seed: NonNullable<EvalCase['seed']> };

/** A list as GET /v1/users/{userId}/recommendations serves it (the fields the fold tools read). */
export interface ServedListBody {
  recommendationId: string;
  expansion: { variant?: string; expander: string };
  items: { itemId: string }[];
}

/**
 * A goodbooks fold loaded into a running stack the way a team loads its own data: the catalog
 * with `events send`, the earlier readers' ratings with `interactions import`, the test users'
 * signups with `events send` (the CLI's own commands, run as a user runs them), and each list
 * read back from the API. `bench served` and `simulate` share it.
 */
export class FoldOnStack {
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly config: CliConfig,
    private readonly say: (line: string) => void,
  ) {
    this.env = { ...process.env, ...Object.fromEntries(Object.entries(config).map(([key, value]) => [key, String(value)])) };
  }

  /** A `coldstart` subcommand against this stack; its stdout. */
  async cli(...args: string[]): Promise<string> {
    return (await run(process.execPath, [join(repoRoot(), 'tools/cli/bin/coldstart.js'), ...args], { env: this.env, maxBuffer: 64 * 1024 * 1024 })).stdout;
  }

  async stats(): Promise<{ items: number; interactions: number }> {
    return JSON.parse(await this.cli('stats', '--json')) as { items: number; interactions: number };
  }

  /** Sends the fold's books and waits until what a replica can search stops growing; returns how many it can. */
  async sendCatalog(fold: Fold, timeoutMs: number): Promise<number> {
    const file = join(this.config.COLDSTART_STATE_DIR, 'items.jsonl');
    const now = new Date().toISOString();
    await writeFile(file, fold.books.map((book) => JSON.stringify(bookItemEvent(book, `fold-item-${book.bookId}`, now))).join('\n') + '\n');
    this.say(`events send: ${fold.books.length} items of fold ${fold.name}`);
    await this.cli('events', 'send', '--queue', 'item-events', '--file', file, '--json');
    let searchable = 0;
    let stableSince = Date.now();
    await waitUntil(
      async () => {
        const items = (await this.stats()).items;
        if (items !== searchable) [searchable, stableSince] = [items, Date.now()];
        return searchable > 0 && Date.now() - stableSince > 5_000;
      },
      { timeoutMs, intervalMs: 1_000 },
    );
    return searchable;
  }

  /** Imports the split's training ratings (the earlier readers); returns the rows imported and the likes in the model after. */
  async importEarlierReaders(split: EvalSplit): Promise<{ imported: number; inModel: number }> {
    const file = join(this.config.COLDSTART_STATE_DIR, 'interactions.csv');
    await writeFile(file, 'userId,itemId,rating,occurredAt\n' + split.training.map((r) => `reader-${r.userId},${r.bookId},${r.rating ?? ''},`).join('\n') + '\n');
    this.say(`interactions import: ${split.training.length} ratings of earlier readers`);
    const { imported } = JSON.parse(await this.cli('interactions', 'import', '--file', file, '--json')) as { imported: number };
    return { imported, inModel: (await this.stats()).interactions };
  }

  /** Signs each case up as `new-<userId>`, naming its seed book (if any) and its category. */
  async signUp(cases: readonly EvalCase[], eventPrefix: string): Promise<void> {
    const now = new Date().toISOString();
    const signups: UserSignup[] = cases.map((c) => ({
      schemaVersion: 1,
      type: 'user.signup',
      eventId: `${eventPrefix}-signup-${c.userId}`,
      occurredAt: now,
      userId: userIdOf(c),
      interests: {
        ...(c.category ? { categories: [c.category] } : {}),
        ...(c.seed ? { items: [{ itemId: String(c.seed.book.bookId), ...(c.seed.rating !== undefined ? { rating: c.seed.rating } : {}) }] } : {}),
      },
      locale: 'en',
    }));
    await this.sendUserEvents(signups, 'signups');
  }

  /** Sends user events (signups, interactions) from a file, as `events send` does. */
  async sendUserEvents(events: readonly object[], what: string): Promise<void> {
    const file = join(this.config.COLDSTART_STATE_DIR, `${what}.jsonl`);
    await writeFile(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    this.say(`events send: ${events.length} ${what}`);
    await this.cli('events', 'send', '--queue', 'user-events', '--file', file, '--json');
  }

  /** Reads each case's list from the API once it is there (each first read is the list's impression). */
  async readLists(cases: readonly EvalCase[], timeoutMs: number): Promise<Map<number, ServedListBody>> {
    const lists = new Map<number, ServedListBody>();
    await waitUntil(
      async () => {
        for (const c of cases) {
          if (lists.has(c.userId)) continue;
          // The local stack's API runs without a token (it says so in its log).
          const response = await fetch(`http://127.0.0.1:${this.config.API_PORT}/v1/users/${userIdOf(c)}/recommendations`);
          if (response.status === 200) lists.set(c.userId, (await response.json()) as ServedListBody);
        }
        return lists.size === cases.length;
      },
      { timeoutMs, intervalMs: 1_000 },
    );
    return lists;
  }
}

/** The stack's userId of a fold's test user. */
export const userIdOf = (c: EvalCase) => `new-${c.userId}`;
