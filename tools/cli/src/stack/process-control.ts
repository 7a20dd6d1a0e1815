import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '@coldstart/runtime';

export interface ManagedProcess {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /**
   * What the process's command line still contains while it runs; default: its first argument.
   * redis-server rewrites its command line to "redis-server 127.0.0.1:<port>", so it needs one.
   */
  marker?: string;
}

export const pidFile = (stateDir: string, name: string) => join(stateDir, 'run', `${name}.pid`);
export const logFile = (stateDir: string, name: string) => join(stateDir, 'logs', `${name}.log`);

/**
 * The pid recorded for `name`, if that process is still alive and still the one we started
 * (its command line names the same program), so a recycled pid is never mistaken for it.
 */
export function runningPid(stateDir: string, spec: Pick<ManagedProcess, 'name' | 'args' | 'command' | 'marker'>): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile(stateDir, spec.name), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const marker = spec.marker ?? spec.args[0] ?? spec.command;
    return cmdline.includes(marker) && alive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a process that outlives the CLI, with its output appended to its log file. */
export function startDetached(stateDir: string, spec: ManagedProcess): number {
  mkdirSync(join(stateDir, 'run'), { recursive: true });
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  const log = openSync(logFile(stateDir, spec.name), 'a');
  try {
    const child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', log, log], env: spec.env });
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    child.unref();
    writeFileSync(pidFile(stateDir, spec.name), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * Exited processes whose parent (the CLI that started them, long gone) is init stay zombies
 * until init reaps them, and signal 0 still reaches a zombie; so the state decides.
 */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(stateDir: string, name: string, pid: number, graceMs: number): Promise<'stopped' | 'killed'> {
  process.kill(pid, 'SIGTERM');
  const gone = () => !alive(pid);
  await waitUntil(gone, { timeoutMs: graceMs, intervalMs: 100 });
  let outcome: 'stopped' | 'killed' = 'stopped';
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    outcome = 'killed';
    await waitUntil(gone, { timeoutMs: Infinity, intervalMs: 50 });
  }
  rmSync(pidFile(stateDir, name), { force: true });
  return outcome;
}

export function tailLog(stateDir: string, name: string, lines = 15): string {
  try {
    return readFileSync(logFile(stateDir, name), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
