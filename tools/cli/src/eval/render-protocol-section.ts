import type { EvalReport, SystemMetrics } from './run-eval.js';
import type { WarmingReport } from './warming.js';

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const ci = ([lo, hi]: [number, number]) => `<span class="ci">[${lo.toFixed(3)}, ${hi.toFixed(3)}]</span>`;

/** Who was evaluated on what, in the protocol's own words. */
export function protocolIntro(report: EvalReport): string {
  const of = report.fold !== undefined ? "the fold's users" : "the export's users";
  const users = `${report.users} test users (20 % of ${of}, seed ${report.seed}; ≥ 5 ratings`;
  const learned = 'everything learned from ratings uses the other 80 % of users';
  switch (report.protocol) {
    case 'category-only':
      return `${users}), K = ${report.k}. Each user's signup names one interest category, the primary genre of their first rated book, and no item ("The user has shown interest in: {category}"); every book they rated ≥ 4, the first included, is relevant. Systems that start from a seed item (content neighbours, item-to-item CF) have nothing to start from and are left out; ${learned}.`;
    case 'warming':
      return `${users}, 5 of them sent after the signup, at least one later rating ≥ 4), K = ${report.k}. Each user signs up with their first rated book, then sends their next ratings as interactions; the pipelines' lists are read at signup and after 1, 3 and 5 of them. Relevant: the books liked after those five, the same at every step, so only what the system was told changes; ${learned}.`;
    case 'cold-seed':
      return `${users}, at least one rating of a new book and one more rating ≥ 4), K = ${report.k}. A fixed 20 % of the books are brand new (upserted a day ago, none of their ratings learned); each user signs up with the first new book they rated (new user, new item) and its primary genre; every other book they rated ≥ 4 is relevant; ${learned}.`;
    case 'new-items':
    case 'cold-start':
      return `${users}, at least one later rating ≥ 4${report.protocol === 'new-items' ? ' of a new book' : ''}), K = ${report.k}. Each user's only input is their first rated book; ${learned}.`;
  }
}

/** The protocol's own section: the bar category-only has to clear, or the warming curve. */
export function protocolSection(report: EvalReport): string {
  if (report.protocol === 'category-only') return categoryOnlySection(report);
  if (report.warming) return warmingSection(report.warming);
  if (report.systems.some((s) => s.newItemShare !== undefined)) return newBooksSection(report);
  return '';
}

/** With new books (new-items, cold-seed): how many slots each system gave them, and (new-items) what that cost every other like. */
function newBooksSection(report: EvalReport): string {
  const all = report.protocol === 'new-items';
  const rows = report.systems.map(
    (s) =>
      `<tr><td>${escapeHtml(s.name)}</td><td>${s.ndcg.toFixed(3)} ${ci(s.ndcgCi)}</td><td>${(s.newItemShare ?? 0).toFixed(2)}</td>${all ? `<td>${s.ndcgAll?.toFixed(3) ?? ''} ${s.ndcgAllCi ? ci(s.ndcgAllCi) : ''}</td>` : ''}</tr>`,
  );
  return `<h2>New books</h2><p>The share of list slots each system gave the brand-new books${all ? ', and NDCG over every later like, new or not (what those slots cost the rest)' : ''}. The served pipeline explores (RANK_EXPLORATION_WEIGHT, for users one of whose books has readers of its own) and places new books by content (placement); the references turn those off.</p><table id="new-books"><thead><tr><th>system</th><th>NDCG@${report.k}</th><th>share of slots to new books</th>${all ? `<th>NDCG@${report.k}, every later like</th>` : ''}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Each pipeline against popularity in the user's category (the bar to beat) and overall, intervals side by side. */
function categoryOnlySection(report: EvalReport): string {
  const find = (name: string) => report.systems.find((s) => s.name === name);
  const bars = [find('genre-popularity'), find('popularity')].filter((s): s is SystemMetrics => s !== undefined);
  const verdict = (system: SystemMetrics, bar: SystemMetrics) => {
    if (system.ndcgCi[0] > bar.ndcgCi[1]) return 'above, intervals apart';
    if (system.ndcgCi[1] < bar.ndcgCi[0]) return 'below, intervals apart';
    return 'intervals overlap';
  };
  const rows = report.systems
    .filter((s) => s.kind === 'pipeline')
    .flatMap((system) =>
      bars.map(
        (bar) =>
          `<tr><td>${escapeHtml(system.name)}</td><td>${system.ndcg.toFixed(3)} ${ci(system.ndcgCi)}</td><td>${escapeHtml(bar.name)}</td><td>${bar.ndcg.toFixed(3)} ${ci(bar.ndcgCi)}</td><td>${(system.ndcg - bar.ndcg).toFixed(3)}</td><td>${verdict(system, bar)}</td></tr>`,
      ),
    );
  return `<h2>Category-only signups</h2><p>A signup that names a category and nothing else must beat the list anyone could make from that category alone: its most liked books (genre-popularity).</p><table id="category-only"><thead><tr><th>pipeline</th><th>NDCG@${report.k}</th><th>against</th><th>NDCG@${report.k}</th><th>difference</th><th>95 % intervals</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const CURVE_COLOURS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1'];

/** NDCG against interactions sent, one line per pipeline, each point with its 95 % interval. */
function warmingSection(warming: WarmingReport): string {
  const width = 520;
  const height = 260;
  const left = 50;
  const bottom = 30;
  const maxSteps = Math.max(...warming.steps, 1);
  const top = Math.max(...warming.curves.flatMap((c) => c.points.map((p) => p.ndcgCi[1])), 1e-9) * 1.1;
  const x = (n: number) => left + (n / maxSteps) * (width - left - 20);
  const y = (v: number) => height - bottom - (v / top) * (height - bottom - 10);
  const axes = `<line x1="${left}" y1="${y(0)}" x2="${width - 10}" y2="${y(0)}" stroke="#1a202c"/><line x1="${left}" y1="${y(0)}" x2="${left}" y2="10" stroke="#1a202c"/>${warming.steps
    .map((n) => `<text x="${x(n)}" y="${height - 10}" text-anchor="middle">${n}</text>`)
    .join('')}<text x="${left - 6}" y="${y(top / 1.1) + 4}" text-anchor="end">${(top / 1.1).toFixed(3)}</text><text x="${left - 6}" y="${y(0) + 4}" text-anchor="end">0</text>`;
  const curves = warming.curves.map((curve, i) => {
    const colour = CURVE_COLOURS[i % CURVE_COLOURS.length] ?? '#2b6cb0';
    const line = curve.points.map((p) => `${x(p.interactions)},${y(p.ndcg)}`).join(' ');
    const whiskers = curve.points
      .map((p) => `<line x1="${x(p.interactions)}" x2="${x(p.interactions)}" y1="${y(p.ndcgCi[0])}" y2="${y(p.ndcgCi[1])}" stroke="${colour}"/><circle class="point" cx="${x(p.interactions)}" cy="${y(p.ndcg)}" r="3" fill="${colour}"><title>${escapeHtml(p.system)}: ${p.ndcg.toFixed(3)}</title></circle>`)
      .join('');
    return `<polyline points="${line}" fill="none" stroke="${colour}" stroke-width="2"/>${whiskers}<text x="${width - 10}" y="${20 + i * 16}" text-anchor="end" fill="${colour}">${escapeHtml(curve.pipeline)}</text>`;
  });
  const rows = warming.curves.flatMap((curve) =>
    curve.points.map((p) => `<tr><td>${escapeHtml(curve.pipeline)}</td><td>${p.interactions}</td><td>${p.ndcg.toFixed(3)} ${ci(p.ndcgCi)}</td><td>${p.recall.toFixed(3)} ${ci(p.recallCi)}</td></tr>`),
  );
  return `<h2>Warming: from signup to ${maxSteps} interactions</h2><p>NDCG@K of each pipeline's list at signup (0) and after each user's first interactions, learned through the behaviour log and seen, as the interaction flow does.</p><svg id="warming-curve" width="${width}" height="${height}" font-size="11">${axes}${curves.join('')}</svg><table id="warming"><thead><tr><th>pipeline</th><th>interactions sent</th><th>NDCG</th><th>Recall</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
