import type { FastifyReply, FastifyRequest } from 'fastify';
import { buildExperimentReport, formatInterval, signed, type AttributionStore, type ExperimentReport } from '@coldstart/experiments';
import { DASHBOARD_PATH } from './dashboard.js';

/** Under the queue dashboard's path, so its guard and its login cookie cover the panel too. */
export const EXPERIMENTS_PANEL_PATH = `${DASHBOARD_PATH}/experiments`;
const DEFAULT_WINDOW_HOURS = 7 * 24;

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The experiments panel (mounted at EXPERIMENTS_PANEL_PATH beside the queue dashboard): what `coldstart experiments report` prints, for every experiment with
 * counts in the window (`?hours=`, default a week), as one self-contained page (no script, no
 * fetched asset): per variant the counts, CTR and positive rate with intervals drawn as bars,
 * the difference against the control, the verdict, and the counts by reason kind.
 */
export function experimentsPanel(store: Pick<AttributionStore, 'experiments' | 'counts' | 'settings'>) {
  const maxHours = store.settings.retentionDays * 24;
  return async (request: FastifyRequest<{ Querystring: { hours?: string } }>, reply: FastifyReply) => {
    const hours = Number(request.query.hours ?? DEFAULT_WINDOW_HOURS);
    if (!Number.isInteger(hours) || hours < 1 || hours > maxHours) {
      return reply.code(400).send({ error: `hours must be a whole number from 1 to ${maxHours}` });
    }
    const now = Date.now();
    const reports: ExperimentReport[] = [];
    for (const experiment of await store.experiments()) {
      const counts = await store.counts(experiment, now - hours * 3_600_000, now);
      if (counts.variants.length > 0) reports.push(buildExperimentReport(counts));
    }
    return reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(renderPanel(reports, hours));
  };
}

function renderPanel(reports: readonly ExperimentReport[], hours: number): string {
  const sections = reports.length > 0 ? reports.map(renderExperiment).join('\n') : '<p>No lists served in this window yet: lists are counted once the API serves them.</p>';
  const variants = reports.reduce((n, r) => n + r.variants.length, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>coldstart · experiments</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1d2433}table{border-collapse:collapse;margin:8px 0 16px}
th,td{padding:4px 10px;border-bottom:1px solid #dde;text-align:right}th:first-child,td:first-child{text-align:left}
.verdict{font-weight:600}.bar{fill:#4a78c2}.ci{stroke:#1d2433;stroke-width:1.5}.control{fill:#8a94a6}
</style></head>
<body><main data-experiments="${reports.length}" data-variants="${variants}">
<h1>Experiments</h1><p>Lists served in the last ${hours} h and what users did with them (<code>coldstart experiments report</code> prints the same).</p>
${sections}
</main></body></html>`;
}

function renderExperiment(report: ExperimentReport): string {
  const top = Math.max(1e-9, ...report.variants.map((v) => v.positiveRateCi?.[1] ?? v.positiveRate));
  const rows = report.variants
    .map((v) => {
      const control = v.name === report.control;
      const width = (x: number) => ((x / top) * 200).toFixed(1);
      const whisker = v.positiveRateCi ? `<line class="ci" x1="${width(v.positiveRateCi[0])}" x2="${width(v.positiveRateCi[1])}" y1="8" y2="8"/>` : '';
      const bar = `<svg width="210" height="16" role="img" aria-label="positive rate ${v.positiveRate}"><rect class="${control ? 'control' : 'bar'}" x="0" y="3" height="10" width="${width(v.positiveRate)}"/>${whisker}</svg>`;
      const versus = control ? '(control)' : `${signed(v.vsControl.diff)} ${formatInterval(v.vsControl.diffCi)}`;
      return `<tr data-variant="${escape(v.name)}"><td>${escape(v.name)}</td><td>${v.users}</td><td>${v.lists}</td><td>${v.clicks}</td><td>${v.positives}</td><td>${v.ctr.toFixed(4)} ${formatInterval(v.ctrCi)}</td><td>${v.positiveRate.toFixed(4)} ${formatInterval(v.positiveRateCi)}</td><td>${bar}</td><td>${versus}</td></tr>`;
    })
    .join('\n');
  const kinds = report.variants
    .flatMap((v) => v.kinds.map((k) => `<tr><td>${escape(v.name)}</td><td>${k.kind}</td><td>${k.slots}</td><td>${k.clicks}</td><td>${k.positives}</td><td>${k.ctr.toFixed(4)} ${formatInterval(k.ctrCi)}</td><td>${k.positiveRate.toFixed(4)} ${formatInterval(k.positiveRateCi)}</td></tr>`))
    .join('\n');
  return `<section data-experiment="${escape(report.experiment)}">
<h2>${escape(report.experiment)}</h2><p>since ${escape(report.since)} · control <b>${escape(report.control)}</b> · positive rate = positive interactions per list served</p>
<table><thead><tr><th>variant</th><th>users</th><th>lists</th><th>clicks</th><th>positives</th><th>CTR [95% CI]</th><th>positive rate [95% CI]</th><th></th><th>vs control</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p class="verdict">${escape(report.verdictText)}</p>
<h3>By reason kind (per slot)</h3>
<table><thead><tr><th>variant</th><th>kind</th><th>slots</th><th>clicks</th><th>positives</th><th>CTR</th><th>positive rate</th></tr></thead>
<tbody>
${kinds}
</tbody></table>
</section>`;
}
