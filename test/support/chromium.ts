import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Debian's chromium, headless, with nothing that could reach the network or an old profile; its stdout. */
export async function chromium(args: string[]): Promise<string> {
  const profile = mkdtempSync(path.join(tmpdir(), 'coldstart-chromium-'));
  try {
    const { stdout } = await run(
      'chromium',
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', `--user-data-dir=${profile}`, ...args],
      { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
