import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '..', 'tools', 'cli', 'bin', 'coldstart.js');
/** Each command starts a stack of its own (Redis, emulator, every app) on free ports, and stops it. */
const coldstart = async (...args: string[]) => JSON.parse((await run(process.execPath, [CLI, ...args], { maxBuffer: 16 * 1024 * 1024, timeout: 280_000 })).stdout);

describe('a goodbooks fold loaded into a stack of its own, as a team would load it', () => {
  it('simulate: the experiments report counts exactly what the fold’s ratings of the served books say, per variant', async () => {
    const report = await coldstart('simulate', '--fold', 'a', '--users', '40', '--variants', 'catalog,seed-only', '--json');
    expect(report.simulation).toMatchObject({ fold: 'a', protocol: 'cold-start', users: 40, served: 40 });
    expect(report.experiment).toBe('simulate');
    expect(report.control).toBe('catalog');
    expect(report.variants.map((v: { name: string }) => v.name)).toEqual(['catalog', 'seed-only']);
    expect(report.simulation.interactionsSent).toBeGreaterThan(0);
    expect(report.variants.reduce((sum: number, v: { clicks: number }) => sum + v.clicks, 0)).toBe(report.simulation.interactionsSent);
    for (const count of report.simulation.independent) {
      const variant = report.variants.find((v: { name: string }) => v.name === count.name);
      expect(variant).toMatchObject({ lists: count.lists, clicks: count.clicks, positives: count.positives, positiveRate: count.positiveRate });
    }
    expect(['winner', 'no difference yet']).toContain(report.verdict);
  }, 300_000);

  it('bench served: every signup gets a list read from the API', async () => {
    const report = await coldstart('bench', 'served', '--fold', 'a', '--users', '30', '--json');
    expect(report).toMatchObject({ fold: 'a', users: 30, served: 30 });
    expect(report.items.searchable).toBe(report.items.sent);
    expect(report.ndcg.served).toBeGreaterThan(0);
  }, 300_000);
});
