import { readFileSync } from 'node:fs';
import { Cluster, type Redis } from 'ioredis';
import { SLOT_GROUPS, slotGroup, type RedisClient } from '@coldstart/config';
import { redisServers, type QueuePartitions } from '@coldstart/queues';
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

/** A server's name in reports: host:port. */
const serverName = (server: Redis) => `${server.options.host ?? '127.0.0.1'}:${server.options.port ?? 6379}`;

/** `INFO <section>` of one server as name → value. */
async function info(server: Redis, section: string): Promise<Map<string, string>> {
  const text = await server.info(section);
  return new Map(text.split(/\r?\n/).flatMap((line) => {
    const at = line.indexOf(':');
    return at > 0 && !line.startsWith('#') ? [[line.slice(0, at), line.slice(at + 1)] as [string, string]] : [];
  }));
}

/** CPU ms each redis-server (every master of a cluster) has used so far, every thread (INFO cpu used_cpu_user + used_cpu_sys; not its forked children), by host:port. */
export async function redisCpuMs(redis: RedisClient): Promise<Record<string, number>> {
  const byServer: Record<string, number> = {};
  for (const server of redisServers(redis)) {
    const cpu = await info(server, 'cpu');
    byServer[serverName(server)] = (Number(cpu.get('used_cpu_user')) + Number(cpu.get('used_cpu_sys'))) * 1_000;
  }
  return byServer;
}

/**
 * On a cluster, the slot groups of a deployment (operations.md#redis-cluster) each server holds,
 * by host:port as `redisCpuMs` names them: which group's work a server's CPU was (with queue
 * partitions, each as `bull:p0`, `bull:p1`, …). Empty on one server.
 */
export async function slotGroupsByServer(redis: RedisClient, partitions: QueuePartitions): Promise<Record<string, string[]>> {
  if (!(redis instanceof Cluster)) return {};
  const prefix = partitions.keyPrefix;
  const tags = new Map<string, string>([['data', prefix], ...Object.values(SLOT_GROUPS).map((group) => [group, slotGroup(prefix, group)] as [string, string])]);
  if (partitions.count > 1) {
    tags.delete(SLOT_GROUPS.queues);
    partitions.prefixes.forEach((queuePrefix, i) => tags.set(`${SLOT_GROUPS.queues}:p${i}`, queuePrefix));
  }
  const byServer: Record<string, string[]> = {};
  for (const [group, tag] of tags) {
    const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', tag));
    const server = redis.slots[slot]?.[0];
    if (server !== undefined) (byServer[server] ??= []).push(group);
  }
  return byServer;
}

/** `redisCpuMs` summed over the servers. */
export async function redisCpuTotalMs(redis: RedisClient): Promise<number> {
  return Object.values(await redisCpuMs(redis)).reduce((sum, ms) => sum + ms, 0);
}

/** Calls so far of each command, summed over every server (INFO commandstats: `cmdstat_<name>:calls=N,…`). */
export async function redisCommandCalls(redis: RedisClient): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  for (const server of redisServers(redis)) {
    for (const [key, value] of await info(server, 'commandstats')) {
      const match = /(?:^|,)calls=(\d+)/.exec(value);
      if (key.startsWith('cmdstat_') && match) calls[key.slice('cmdstat_'.length)] = (calls[key.slice('cmdstat_'.length)] ?? 0) + Number(match[1]);
    }
  }
  return calls;
}

/** `after - before` per command, commands not called in between left out. */
export function callsSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).flatMap(([name, calls]) => (calls > (before[name] ?? 0) ? [[name, calls - (before[name] ?? 0)]] : [])));
}

/** This process's CPU ms so far (the bench itself: the LLM server it hosts, the publisher, the tracker). */
export const ownCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1_000;
};
