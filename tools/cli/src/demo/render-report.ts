import type { DemoReport } from './run-demo.js';
import type { StageTiming } from './stage-timings.js';

const clip = (text: string, width: number) => (text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`);

function stageLines(stages: StageTiming[]): string[] {
  return stages.map(
    (s) =>
      `  ${s.stage.padEnd(26)} ${String(s.jobs).padStart(5)} jobs   queued mean ${String(s.queuedMeanMs).padStart(6)} ms (p95 ${String(s.queuedP95Ms).padStart(6)})   work mean ${String(s.workMeanMs).padStart(6)} ms (p95 ${String(s.workP95Ms).padStart(5)})`,
  );
}

/** The human-readable demo output: one block per user, then where the time went. */
export function renderReport(report: DemoReport, topK = 5): string {
  const lines: string[] = [];
  for (const user of report.users) {
    lines.push(`user ${user.userId}  seed: ${clip(user.seedTitle, 60).trimEnd()}`);
    lines.push(`  topics (${user.expansion.source}): ${user.topics.join(', ')}`);
    for (const item of user.recommendations.slice(0, topK)) {
      lines.push(`    ${item.score.toFixed(3)}  ${clip(item.title, 58)}  ← ${item.reason}`);
    }
  }
  lines.push('');
  lines.push(`fold ${report.fold}, encoder ${report.encoder}: ${report.signups.served}/${report.signups.users} users served, ${report.catalog.indexed}/${report.catalog.items} items indexed`);
  lines.push(`history: ${report.history.rows} ratings of ${report.history.readers} earlier readers imported in ${report.history.elapsedMs} ms: ${report.history.imported} new (${report.history.likes} likes), ${report.history.duplicates} learned before (a stack that ran the demo already)`);
  lines.push(`pipeline time ${report.elapsedMs} ms: catalog ${report.catalog.elapsedMs} ms, signups ${report.signups.elapsedMs} ms`);
  const { p50, p99 } = report.signups.timeToRecommendationMs;
  lines.push(`time to recommendations (from publishing the signups): p50 ${p50 ?? '—'} ms, p99 ${p99 ?? '—'} ms`);
  const served = report.signups.served || 1;
  const shares = Object.entries(report.expansionSources).map(([source, n]) => `${source} ${n} (${((100 * n) / served).toFixed(1)} %)`);
  lines.push(`topics by source: ${shares.join(', ') || 'none'}`);
  const reasons: Record<string, number> = {};
  for (const user of report.users) for (const item of user.recommendations) {
    const kind = item.reason === 'popular' ? 'popular' : (/^(seed|also-liked|popular-in):/.exec(item.reason)?.[1] ?? 'topic');
    reasons[kind] = (reasons[kind] ?? 0) + 1;
  }
  lines.push(`items by reason: ${Object.entries(reasons).map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none'}`);
  if (report.llm) {
    const llm = report.llm;
    lines.push(
      `LLM ${llm.model} at ${llm.baseUrl}, ${llm.expandProcesses} expand process(es): ${llm.calls} requests for ${report.signups.served} users = ${llm.callsPerUser} per user; cache hits ${llm.cacheHits}, coalesced waits ${llm.coalescedWaits}, fallbacks ${llm.fallbacks}${llm.unreachable > 0 ? ` (${llm.unreachable} expand process(es) did not answer /metrics)` : ''}`,
    );
  }
  lines.push('catalog stages:', ...stageLines(report.catalog.stages));
  lines.push('signup stages:', ...stageLines(report.signups.stages));
  return lines.join('\n');
}
