import { readFileSync } from 'node:fs';
import type { CliConfig } from '../config.js';
import { appEntry } from '../repo-paths.js';
import { runningPid } from '../stack/process-control.js';

/** Our processes: the ingest and every pool. Not the api (it serves reads, none in a bench), Redis, the SQS emulator or the LLM server. */
const OUR_APPS = ['ingest', 'worker-expand', 'worker-embed', 'worker-index', 'worker-recommend'] as const;

/** Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream architecture. */
const TICK_MS = 10;

/** User plus system CPU ms a process has used so far (/proc/<pid>/stat utime + stime). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5), counted after the ")" that ends the command name (field 2).
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** CPU ms so far of each of our running processes, by process name (worker-expand-2… included). */
export function stackCpuMs(config: CliConfig): Record<string, number> {
  const result: Record<string, number> = {};
  for (const app of OUR_APPS) {
    const count = app === 'worker-expand' ? config.EXPAND_PROCESSES : 1;
    for (let i = 0; i < count; i++) {
      const name = i === 0 ? app : `${app}-${i + 1}`;
      const pid = runningPid(config.COLDSTART_STATE_DIR, { name, command: process.execPath, args: [appEntry(app)] });
      if (pid !== undefined) result[name] = processCpuMs(pid);
    }
  }
  return result;
}

/** `after - before` per process; a process that restarted in between would make this wrong, so it throws. */
export function cpuSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, ms]) => {
      const start = before[name];
      if (start === undefined || ms < start) throw new Error(`${name} restarted during the benchmark; its CPU time cannot be attributed`);
      return [name, ms - start];
    }),
  );
}
