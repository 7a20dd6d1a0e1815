import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'apps')) && existsSync(join(dir, 'packages')))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
  return dir;
}

export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Runs an app's compiled entry point (apps/<name>/dist/main.js) as its own process. */
export function startApp(name: string, env: Record<string, string>): AppProcess {
  const entry = join(repoRoot(), 'apps', name, 'dist', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npm run build)`);
  const child = spawn(process.execPath, [entry], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    name,
    child,
    output: () => output,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Below the kernel's ephemeral range: ports an outgoing connection is never given. */
const LISTEN_PORTS = { from: 10_000, below: ephemeralRangeStart() };

function ephemeralRangeStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > 11_000 ? start : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * A TCP port that was free a moment ago on loopback, chosen below the ephemeral range. A port
 * the kernel hands out for listen(0) comes from the range it also gives every outgoing
 * connection, so in the moment between picking it and an app binding it, any process's new
 * connection (a pool opening its Redis connections) could take it: an app then died with
 * EADDRINUSE at start. Below the range only another listener can take it.
 */
export async function freePort(): Promise<number> {
  const span = LISTEN_PORTS.below - LISTEN_PORTS.from;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = LISTEN_PORTS.from + Math.floor(Math.random() * span);
    if (await portIsFree(port)) return port;
  }
  throw new Error(`no free port found in ${LISTEN_PORTS.from}–${LISTEN_PORTS.below - 1}`);
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive TCP ports that were free a moment ago on loopback. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = await freePort();
    if (base + count > LISTEN_PORTS.below) continue;
    let free = true;
    for (let port = base + 1; free && port < base + count; port += 1) free = await portIsFree(port);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
