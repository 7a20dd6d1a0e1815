import { readFileSync } from 'node:fs';
import { waitUntil } from '@coldstart/runtime';
import { pidFile } from './process-control.js';

/**
 * The pid of the redis-server the stack started in `stateDir`, if it is alive. runningPid cannot
 * tell: redis-server rewrites its command line to "redis-server 127.0.0.1:<port>", so the
 * "--port" marker it looks for is gone; the process name is what remains reliable.
 */
export function stackRedisPid(stateDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(stateDir, 'redis'), 'utf8').trim());
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return name === 'redis-server' && state !== 'Z' ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves once `pid` is gone (or a zombie, which holds no port and no files). */
export async function waitForExit(pid: number, timeoutMs = 30_000): Promise<void> {
  const exited = () => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
    } catch {
      return true;
    }
  };
  if (!(await waitUntil(exited, { timeoutMs, intervalMs: 50 }))) throw new Error(`process ${pid} did not exit within ${timeoutMs} ms`);
}
