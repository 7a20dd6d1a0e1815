import { escapeHtml as escape, protocolIntro, protocolSection } from './render-protocol-section.js';
import type { EvalReport, SampleUser, SystemMetrics } from './run-eval.js';

const KIND_COLOURS: Record<SystemMetrics['kind'], string> = { baseline: '#8c96a3', pipeline: '#2b6cb0', reference: '#c05621' };

interface MetricSpec {
  key: 'ndcg' | 'recall' | 'hitRate' | 'coverage' | 'diversity' | 'novelty';
  label: string;
  ci?: 'ndcgCi' | 'recallCi' | 'hitRateCi';
}

const METRICS: MetricSpec[] = [
  { key: 'ndcg', label: 'NDCG@K', ci: 'ndcgCi' },
  { key: 'recall', label: 'Recall@K', ci: 'recallCi' },
  { key: 'hitRate', label: 'HitRate@K', ci: 'hitRateCi' },
  { key: 'coverage', label: 'Catalog coverage' },
  { key: 'diversity', label: 'Intra-list diversity (genres)' },
  { key: 'novelty', label: 'Novelty (bits)' },
];

/** A horizontal bar per system, with the 95 % interval as a whisker where there is one. */
function barChart(report: EvalReport, metric: MetricSpec): string {
  const rowHeight = 22;
  // Room for the longest name at 12 px (warming's "… after 5 interactions" rows are long).
  const labelWidth = Math.max(260, Math.ceil(Math.max(...report.systems.map((s) => s.name.length)) * 6.8));
  const plotWidth = 300;
  const max = Math.max(...report.systems.map((s) => (metric.ci ? s[metric.ci][1] : s[metric.key])), 1e-9);
  const x = (value: number) => labelWidth + (value / max) * plotWidth;
  const rows = report.systems.map((s, i) => {
    const y = 20 + i * rowHeight;
    const value = s[metric.key];
    const whisker = metric.ci
      ? `<line x1="${x(s[metric.ci][0])}" x2="${x(s[metric.ci][1])}" y1="${y + 8}" y2="${y + 8}" stroke="#1a202c" stroke-width="1.5"/>`
      : '';
    return `<text x="${labelWidth - 6}" y="${y + 12}" text-anchor="end">${escape(s.name)}</text><rect class="bar" x="${labelWidth}" y="${y + 2}" width="${Math.max(0.5, x(value) - labelWidth)}" height="${rowHeight - 6}" fill="${KIND_COLOURS[s.kind]}"/>${whisker}<text x="${x(metric.ci ? s[metric.ci][1] : value) + 4}" y="${y + 12}">${value.toFixed(3)}</text>`;
  });
  const height = 30 + report.systems.length * rowHeight;
  return `<figure><figcaption>${escape(metric.label)}</figcaption><svg class="chart" data-metric="${metric.key}" width="${labelWidth + plotWidth + 70}" height="${height}" font-size="12">${rows.join('')}</svg></figure>`;
}

/** The overlap@K matrix as coloured cells, Jaccard in each cell's tooltip. */
function heatmap(report: EvalReport): string {
  const { labels, matrix, jaccard } = report.overlap;
  const cell = 46;
  const left = 260;
  const top = 190;
  const cells = matrix.flatMap((row, i) =>
    row.map((value, j) => {
      const shade = Math.round(255 - value * 200);
      const fill = `rgb(${shade},${shade},255)`;
      return `<g><title>${escape(labels[i] ?? '')} vs ${escape(labels[j] ?? '')}: overlap ${value.toFixed(3)}, Jaccard ${(jaccard[i]?.[j] ?? 0).toFixed(3)}</title><rect class="cell" x="${left + j * cell}" y="${top + i * cell}" width="${cell - 2}" height="${cell - 2}" fill="${fill}"/><text x="${left + j * cell + cell / 2 - 1}" y="${top + i * cell + cell / 2 + 3}" text-anchor="middle">${value.toFixed(2)}</text></g>`;
    }),
  );
  const rowLabels = labels.map((l, i) => `<text x="${left - 6}" y="${top + i * cell + cell / 2 + 3}" text-anchor="end">${escape(l)}</text>`);
  const colLabels = labels.map((l, j) => `<text transform="translate(${left + j * cell + cell / 2},${top - 6}) rotate(-50)">${escape(l)}</text>`);
  const size = labels.length * cell;
  return `<svg id="overlap-heatmap" width="${left + size + 160}" height="${top + size + 20}" font-size="11">${colLabels.join('')}${rowLabels.join('')}${cells.join('')}</svg>`;
}

function metricsTable(report: EvalReport): string {
  const ci = ([lo, hi]: [number, number]) => `<span class="ci">[${lo.toFixed(3)}, ${hi.toFixed(3)}]</span>`;
  const rows = report.systems.map(
    (s) =>
      `<tr class="${s.kind}"><td>${escape(s.name)}</td><td>${s.kind}</td><td>${s.ndcg.toFixed(3)} ${ci(s.ndcgCi)}</td><td>${s.recall.toFixed(3)} ${ci(s.recallCi)}</td><td>${s.hitRate.toFixed(3)} ${ci(s.hitRateCi)}</td><td>${s.coverage.toFixed(3)}</td><td>${s.diversity.toFixed(3)}</td><td>${s.novelty.toFixed(2)}</td></tr>`,
  );
  return `<table id="metrics"><thead><tr><th>system</th><th>kind</th><th>NDCG@${report.k}</th><th>Recall@${report.k}</th><th>HitRate@${report.k}</th><th>coverage</th><th>diversity</th><th>novelty</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Why an item is in the list, in words a product could show. */
function reasonText(reason: NonNullable<SampleUser['items'][number]['reason']>, user: SampleUser): string {
  const similarity = ` (${reason.similarity.toFixed(3)})`;
  switch (reason.kind) {
    case 'topic':
      return `topic <b>${escape(reason.source)}</b>${similarity}`;
    case 'seed':
      return `like <b>${user.seed && reason.source === String(user.seed.bookId) ? `“${escape(user.seed.title)}”` : `#${escape(reason.source)}`}</b>${similarity}`;
    case 'also-liked':
      return `readers of <b>#${escape(reason.source)}</b> also liked it${similarity}`;
    case 'popular-in':
      return `popular in <b>${escape(reason.source)}</b>${similarity}`;
    case 'popular':
      return `popular${similarity}`;
    case 'new-in':
      return `new in <b>${escape(reason.source)}</b> (exploring)${similarity}`;
    case 'exploring':
      return `new, exploring${similarity}`;
  }
}

function sampleSection(samples: readonly SampleUser[]): string {
  return samples
    .map((user) => {
      const items = user.items
        .map((item) => `<li class="${item.relevant ? 'liked' : ''}">${escape(item.title)} <small>#${escape(String(item.bookId))}</small> — ${item.reason ? reasonText(item.reason, user) : ''}${item.relevant ? ' ✔ liked later' : ''}</li>`)
        .join('');
      const category = escape(user.category ?? 'no category');
      const signup = user.seed ? `seed “${escape(user.seed.title)}” (#${escape(String(user.seed.bookId))}, ${category})` : `category <b>${category}</b>, no item`;
      return `<section class="user"><h3>user ${escape(String(user.userId))}: ${signup}</h3><p>${escape(user.system)} topics: ${user.topics.map((t) => `<code>${escape(t)}</code>`).join(' ') || '<i>none</i>'}</p><ol>${items}</ol></section>`;
    })
    .join('');
}

/**
 * One HTML file that needs nothing at view time: inline CSS, charts drawn here as SVG, and a
 * few lines of inline script that record the drawn sizes of the charts (which the headless
 * browser test reads back).
 */
export function renderEvalHtml(report: EvalReport, samples: readonly SampleUser[]): string {
  const { weights } = report.ranking;
  const source = report.fold !== undefined ? `goodbooks fold ${report.fold}` : `export ${escape(report.data ?? '')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>coldstart eval — ${source}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#1a202c;max-width:1200px}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #e2e8f0;padding:4px 8px;text-align:left}
.ci{color:#718096;font-size:11px}tr.pipeline td:first-child{color:#2b6cb0;font-weight:600}tr.reference td:first-child{color:#c05621}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-weight:600;font-size:13px}
li.liked{background:#f0fff4}.user{border-top:1px solid #e2e8f0;margin-top:12px}code{background:#edf2f7;padding:0 4px}
</style></head><body data-rendered="pending">
<h1>coldstart eval: ${source}, ${escape(report.protocol)} protocol</h1>
<p>${protocolIntro(report)} Intervals are 95 % bootstrap intervals over users.</p>
<p>Ranking: topic weight ${weights.topic}, seed weight ${weights.seed}, also-liked weight ${weights.alsoLiked}, category weight ${weights.category}, popularity weight ${weights.popularity}, topic decay ${weights.topicDecay}, MMR λ ${report.ranking.mmrLambda}, unknown-popularity prior ${report.ranking.unknownPopularity}, ${report.ranking.candidates} neighbours fetched per seed and for the first topic (fewer for later topics, as their weight decays). These were tuned on goodbooks folds a and b only; fold c is held out.</p>
<h2>Metrics</h2>${metricsTable(report)}
${protocolSection(report)}
<h2>Charts</h2><div class="charts">${METRICS.map((m) => barChart(report, m)).join('')}</div>
<h2>Overlap of top-${report.k} lists (mean overlap@K; hover a cell for Jaccard)</h2>${heatmap(report)}
<h2>Sample users</h2>${sampleSection(samples)}
<script>
const box = (el) => { const r = el.getBoundingClientRect(); return Math.round(r.width) + 'x' + Math.round(r.height); };
const heat = document.getElementById('overlap-heatmap');
const bars = [...document.querySelectorAll('svg.chart rect.bar')].filter((r) => r.getBoundingClientRect().width > 0).length;
document.body.dataset.rendered = 'heatmap=' + box(heat) + ';cells=' + heat.querySelectorAll('rect.cell').length + ';charts=' + document.querySelectorAll('svg.chart').length + ';bars=' + bars;
</script>
</body></html>
`;
}
