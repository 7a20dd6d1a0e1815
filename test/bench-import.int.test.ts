import { describe, expect, it } from 'vitest';
import { runCliCommand } from './support/cli-command.js';

// Figures only: whether the rate is good is for the benchmark's output, never for a test to assert.
describe('coldstart bench import', () => {
  it('imports a synthetic history into a stack of its own, then the same file again, which changes nothing', async () => {
    const { stdout } = await runCliCommand({ module: 'bench/bench-import.js', register: 'registerBenchImportCommand', group: 'bench' }, ['bench', 'import', '--rows', '2500', '--items', '300', '--json']);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ rows: 2_500, users: 125, items: 300 });
    expect(report.first.rowsPerSecond).toBeGreaterThan(0);
    expect(report.first.summary.imported + report.first.summary.duplicates).toBe(2_500);
    expect(report.first.summary).toMatchObject({ invalid: 0, failed: 0 });
    expect(report.again.summary).toEqual({ imported: 0, duplicates: 2_500, invalid: 0, likes: 0, failed: 0 });
    expect(report.interactions.afterFirst - report.interactions.before).toBe(report.first.summary.likes);
    expect(report.interactions.afterAgain).toBe(report.interactions.afterFirst);
  });
});
