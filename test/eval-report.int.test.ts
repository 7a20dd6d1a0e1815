import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderEvalHtml } from '../tools/cli/src/eval/render-eval-html.ts';
import { runEval } from '../tools/cli/src/eval/run-eval.ts';
import { chromium } from './support/chromium.js';

const ARTIFACTS = path.resolve(import.meta.dirname, '..', 'test-artifacts');
const HTML = path.join(ARTIFACTS, 'eval-report.html');
const SCREENSHOT = path.join(ARTIFACTS, 'eval-report.png');

describe('the eval HTML report in headless Chromium', () => {
  let systems = 0;

  beforeAll(async () => {
    const { report, samples } = await runEval({ fold: 'c', k: 10, users: 150, expanders: ['catalog', 'seed-only'], encoders: ['wink-glove-100d'], seed: 42, protocol: 'cold-start', redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
    systems = report.systems.length;
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(HTML, renderEvalHtml(report, samples));
  });

  it('is one self-contained file: nothing is fetched at view time', () => {
    const html = readFileSync(HTML, 'utf8');
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
  });

  it('draws the overlap heatmap and a bar chart per metric', async () => {
    const dom = await chromium(['--dump-dom', pathToFileURL(HTML).href]);
    const rendered = /data-rendered="([^"]*)"/.exec(dom)?.[1] ?? '';
    const fields = Object.fromEntries(rendered.split(';').map((pair) => pair.split('=') as [string, string]));
    const [width, height] = (fields.heatmap ?? '0x0').split('x').map(Number) as [number, number];
    expect(width, rendered).toBeGreaterThan(200);
    expect(height, rendered).toBeGreaterThan(200);
    expect(Number(fields.cells)).toBe(systems * systems);
    expect(Number(fields.charts)).toBe(6);
    // Every system has a visible bar in every chart.
    expect(Number(fields.bars)).toBe(6 * systems);
  });

  // The screenshot stays in test-artifacts/ (git-ignored) for people to look at.
  it('keeps a screenshot as an artifact', async () => {
    rmSync(SCREENSHOT, { force: true });
    await chromium([`--screenshot=${SCREENSHOT}`, '--window-size=1280,3000', '--hide-scrollbars', pathToFileURL(HTML).href]);
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    // A blank page of this size compresses to a few kilobytes; charts and text do not.
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(50_000);
  });
});
