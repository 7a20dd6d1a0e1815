import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { z } from 'zod';
import { isModelVariant } from '@coldstart/llm';
import { IngestEnv } from '../apps/ingest/src/config.ts';
import { configuredVariants, ExpandEnv } from '../apps/worker-expand/src/config.ts';
import { IndexEnv } from '../apps/worker-index/src/config.ts';
import { APP_ENV_SCHEMAS, type EnvSchema } from './support/app-env-schemas.ts';

/*
 * docker-compose.yml, the Dockerfile and deploy/elasticmq/elasticmq.conf checked against the
 * code: no engine is needed, so a typo'd variable or a renamed queue fails here rather than as
 * a crash-looping container.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

const APPS = APP_ENV_SCHEMAS;
/** Operator tools rather than services. */
const NOT_SERVICES = new Set(['ops']);
/** Read by the AWS SDK's default credential chain, not by the apps' schemas. */
const AWS_SDK_VARIABLES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);

// --- compose semantics the test needs -----------------------------------------------------

/** Variables set in the shell (or a .env file) that runs `docker compose`. */
type Shell = Readonly<Record<string, string>>;

/**
 * Compose's interpolation as `docker compose up` applies it, by default with nothing set in the
 * shell or a .env file: `${X:-default}` gives the default unless X is set and non-empty,
 * `${X-default}` unless X is set, `${X}` and `$X` give X or "", `$$` is `$`.
 */
function interpolate(value: string, shell: Shell = {}): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced, op, arg, bare) => {
    if (match === '$$') return '$';
    const name = String(braced ?? bare);
    const set = Object.hasOwn(shell, name);
    const usable = typeof op === 'string' && op.startsWith(':') ? set && shell[name] !== '' : set;
    if (op === ':?' || op === '?') {
      if (!usable) throw new Error(`compose needs ${name} to be set: ${String(arg)}`);
      return shell[name]!;
    }
    if (typeof op === 'string') return usable ? shell[name]! : String(arg);
    return shell[name] ?? '';
  });
}

function interpolateAll(node: unknown, shell: Shell = {}): unknown {
  if (typeof node === 'string') return interpolate(node, shell);
  if (Array.isArray(node)) return node.map((item) => interpolateAll(item, shell));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateAll(value, shell)]));
  }
  return node;
}

/** Go durations as compose reads them ("30s", "1m30s", "1500ms"), in milliseconds. */
function durationMs(value: unknown): number {
  const text = String(value);
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 1e-3, ns: 1e-6 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: ${text}`);
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * units[unit!]!, 0);
}

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  stop_grace_period?: string;
  restart?: string;
  ports?: (string | { target: number; published?: string | number })[];
  volumes?: (string | { type: string; source?: string; target: string })[];
}

// YAML merge keys (`<<: *anchor`) are YAML 1.1; compose resolves them, so the parser must too.
const rawCompose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const servicesWith = (shell: Shell): Record<string, Service> => (interpolateAll(rawCompose, shell) as typeof rawCompose).services;
const services = servicesWith({});

/**
 * The environment a container gets: mapping or `KEY=VALUE` list; a variable without a value
 * is taken from the shell, and stays unset (`undefined`) when the shell does not set it.
 */
function environmentOf(service: Service, shell: Shell = {}): Record<string, string | undefined> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, shell[entry]] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? shell[key] : String(value)]));
}

function definedEnv(service: Service, shell: Shell = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environmentOf(service, shell)).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function dependsOn(service: Service): Record<string, string | undefined> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition ?? 'service_started']));
}

const healthcheckText = (service: Service): string => [service.healthcheck?.test ?? []].flat().join(' ');

/** Validates like the app does at start; a failure lists every issue with its variable. */
function validate(app: string): z.infer<EnvSchema> {
  const result = APPS[app]!.safeParse(definedEnv(services[app]!));
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect.fail(`docker-compose.yml: ${app}'s environment is invalid:\n  ${issues.join('\n  ')}`);
  }
  return result.data;
}

const usesSqs = (app: string): boolean => 'SQS_ENDPOINT' in APPS[app]!.shape;
/** Apps with an AWS SDK client (SQS or S3), which read credentials from the default chain. */
const usesAws = (app: string): boolean => usesSqs(app) || 'S3_ENDPOINT' in APPS[app]!.shape;

// --- ElasticMQ's HOCON, as much of it as the test needs -------------------------------------

/** Drops `#` and `//` comments outside quoted strings. */
function stripHoconComments(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      let quoted = false;
      for (let i = 0; i < line.length; i += 1) {
        if (line[i] === '"' && line[i - 1] !== '\\') quoted = !quoted;
        if (!quoted && (line[i] === '#' || line.startsWith('//', i))) return line.slice(0, i);
      }
      return line;
    })
    .join('\n');
}

/** The `name { ... }` blocks directly inside `body`, by name. */
function hoconBlocks(body: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const opener = /([A-Za-z0-9_.\-"]+)\s*=?\s*\{/g;
  let match: RegExpExecArray | null;
  while ((match = opener.exec(body)) !== null) {
    let depth = 1;
    let i = opener.lastIndex;
    for (; i < body.length && depth > 0; i += 1) {
      if (body[i] === '{') depth += 1;
      if (body[i] === '}') depth -= 1;
    }
    if (depth !== 0) throw new Error(`unbalanced braces after "${match[1]}"`);
    blocks.set(match[1]!.replaceAll('"', ''), body.slice(opener.lastIndex, i - 1));
    opener.lastIndex = i;
  }
  return blocks;
}

const hoconValue = (body: string, key: string): string | undefined =>
  new RegExp(`(?:^|[\\s,{])${key}\\s*[=:]\\s*("[^"]*"|[^\\s,}]+)`).exec(body)?.[1]?.replaceAll('"', '');

const elasticmq = hoconBlocks(stripHoconComments(read('deploy/elasticmq/elasticmq.conf')));
const elasticmqQueues = hoconBlocks(elasticmq.get('queues') ?? '');

// --- tests --------------------------------------------------------------------------------

describe('the app list', () => {
  it('covers every app under apps/ that runs as a service', () => {
    const onDisk = readdirSync(join(root, 'apps')).filter(
      (name) => !NOT_SERVICES.has(name) && existsSync(join(root, 'apps', name, 'src', 'main.ts')),
    );
    expect(Object.keys(APPS).sort()).toEqual(onDisk.sort());
  });

  it('validates worker-index with the schema its config.ts actually parses', () => {
    expect(read('apps/worker-index/src/config.ts')).toMatch(/parseEnv\(IndexEnv\)/);
    expect(APP_ENV_SCHEMAS['worker-index']).toBe(IndexEnv);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const froms = [...dockerfile.matchAll(/^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ image: m[1]!, stage: m[2] }));

  it('builds every stage on Node 24 (Debian bookworm, like the dev machines)', () => {
    expect(froms.length).toBeGreaterThan(0);
    const stages = new Set<string>();
    for (const { image, stage } of froms) {
      if (!stages.has(image)) expect(image).toMatch(/^node:24-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
      if (stage) stages.add(stage);
    }
  });

  it('runs as a non-root numeric user and starts processes with node directly', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const user = /^USER\s+(\S+)/m.exec(runtime)?.[1];
    expect(user, 'the final stage sets USER').toBeDefined();
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(runtime).toMatch(/^CMD \["node", "apps\/[a-z-]+\/dist\/main\.js"\]$/m);
    expect(runtime).toMatch(/^ENV NODE_ENV=production$/m);
  });

  it('keeps local build outputs and dependencies out of the context', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    for (const pattern of ['**/node_modules', '**/dist', '**/*.tsbuildinfo', '.git', '.coldstart']) {
      expect(ignored).toContain(pattern);
    }
    expect(ignored.some((line) => line.endsWith('test-artifacts'))).toBe(true);
  });
});

describe('docker-compose.yml infrastructure', () => {
  it('runs redis durable, never evicting, with a healthcheck', () => {
    const redis = services.redis!;
    expect(redis.image).toMatch(/^redis:7/);
    const command = [redis.command ?? []].flat().join(' ');
    expect(command).toMatch(/--appendonly yes/);
    expect(command).toMatch(/--maxmemory-policy noeviction/);
    expect(redis.volumes?.some((v) => (typeof v === 'string' ? v.split(':')[1] : v.target) === '/data')).toBe(true);
    expect(healthcheckText(redis)).toMatch(/redis-cli ping/);
  });

  it('runs elasticmq with the mounted queue config and a healthcheck on its SQS API', () => {
    const sqs = services.elasticmq!;
    expect(sqs.image).toMatch(/^softwaremill\/elasticmq-native(:|$)/);
    expect(sqs.volumes).toContainEqual(expect.stringMatching(/^\.\/deploy\/elasticmq\/elasticmq\.conf:\/opt\/elasticmq\.conf(:ro)?$/));
    expect(healthcheckText(sqs)).toMatch(/127\.0\.0\.1[:/]9324/);
  });

  it('builds one shared image for every app', () => {
    const images = new Set(Object.keys(APPS).map((app) => services[app]?.image));
    expect(images.size).toBe(1);
    for (const app of Object.keys(APPS)) {
      const build = services[app]!.build;
      expect(typeof build === 'string' ? build : build?.context).toBe('.');
    }
  });
});

describe.each(Object.keys(APPS))('docker-compose.yml service %s', (app) => {
  const service = services[app]!;

  it('exists and runs its built entry point with node', () => {
    expect(service, `no service "${app}"`).toBeDefined();
    expect(service.command).toEqual(['node', `apps/${app}/dist/main.js`]);
    expect(existsSync(join(root, 'apps', app, 'src', 'main.ts'))).toBe(true);
    expect(service.restart).toBe('unless-stopped');
  });

  it("has an environment that passes the app's own zod schema", () => {
    validate(app);
  });

  it('sets no variable the app does not read', () => {
    const known = new Set(Object.keys(APPS[app]!.shape));
    const unknown = Object.keys(environmentOf(service)).filter(
      (name) => !known.has(name) && !(usesAws(app) && AWS_SDK_VARIABLES.has(name)),
    );
    expect(unknown, `${app} ignores these (zod strips unknown keys): typo, or wrong service?`).toEqual([]);
  });

  it('waits for healthy redis (and elasticmq if it uses SQS) at the addresses it is given', () => {
    const env = validate(app);
    const deps = dependsOn(service);
    expect(deps.redis).toBe('service_healthy');
    expect(Object.keys(services)).toContain(new URL(String(env.REDIS_URL)).hostname);
    if (usesSqs(app)) {
      expect(deps.elasticmq).toBe('service_healthy');
      const endpoint = new URL(String(env.SQS_ENDPOINT));
      expect(endpoint.hostname).toBe('elasticmq');
      expect(endpoint.port).toBe(hoconValue(elasticmq.get('rest-sqs') ?? '', 'bind-port'));
    }
    for (const [dependency, condition] of Object.entries(deps)) {
      expect(condition).toBe('service_healthy');
      expect(services[dependency]?.healthcheck?.test, `${dependency} needs a healthcheck`).toBeDefined();
    }
  });

  it('gives the process longer than SHUTDOWN_DEADLINE_MS to stop', () => {
    const { SHUTDOWN_DEADLINE_MS } = validate(app);
    expect(service.stop_grace_period, 'without one Docker kills after 10 s').toBeDefined();
    expect(durationMs(service.stop_grace_period)).toBeGreaterThan(Number(SHUTDOWN_DEADLINE_MS));
  });
});

describe('docker-compose.yml api', () => {
  it('listens on all interfaces, publishes API_PORT and probes /healthz there', () => {
    const api = services.api!;
    const env = validate('api');
    expect(env.API_HOST).toBe('0.0.0.0');
    const targets = (api.ports ?? []).map((p) => (typeof p === 'string' ? Number(p.split(':').at(-1)) : p.target));
    expect(targets).toContain(env.API_PORT);
    expect(healthcheckText(api)).toContain(`http://127.0.0.1:${String(env.API_PORT)}/healthz`);
    // The runtime image has no curl or wget.
    expect(api.healthcheck?.test?.[0]).toBe('CMD');
    expect(api.healthcheck?.test?.[1]).toBe('node');
  });
});

describe.each(Object.keys(APPS).filter((app) => app !== 'api'))('docker-compose.yml %s operations endpoints', (app) => {
  it('serves /healthz, /readyz and /metrics on all interfaces at METRICS_PORT and probes /healthz there', () => {
    const env = validate(app);
    expect(env.METRICS_HOST).toBe('0.0.0.0');
    const service = services[app]!;
    expect(healthcheckText(service)).toContain(`http://127.0.0.1:${String(env.METRICS_PORT)}/healthz`);
    expect(service.healthcheck?.test?.[0]).toBe('CMD');
    expect(service.healthcheck?.test?.[1]).toBe('node');
  });
});

describe('deploy/elasticmq/elasticmq.conf', () => {
  // The queue names ingest ends up with, defaults included (an invalid environment fails above).
  const parsed = IngestEnv.safeParse(definedEnv(services.ingest ?? {}));
  const env = parsed.success ? parsed.data : IngestEnv.parse({});
  const sourceQueues = [env.USER_EVENTS_QUEUE, env.ITEM_EVENTS_QUEUE];

  it.each(sourceQueues)('defines %s with its -dlq as dead-letter queue, maxReceiveCount 5', (name) => {
    const queue = elasticmqQueues.get(name);
    expect(queue, `queue "${name}" missing; defined: ${[...elasticmqQueues.keys()].join(', ')}`).toBeDefined();
    expect(elasticmqQueues.has(`${name}-dlq`), `queue "${name}-dlq" missing`).toBe(true);
    const deadLetters = hoconBlocks(queue!).get('deadLettersQueue') ?? '';
    expect(hoconValue(deadLetters, 'name')).toBe(`${name}-dlq`);
    expect(hoconValue(deadLetters, 'maxReceiveCount')).toBe('5');
    expect(hoconValue(queue!, 'defaultVisibilityTimeout')).toMatch(/^\d+$/);
  });

  it('serves SQS on 9324 on all interfaces, in the region the apps use', () => {
    const rest = elasticmq.get('rest-sqs') ?? '';
    expect(hoconValue(rest, 'bind-port')).toBe('9324');
    expect(hoconValue(rest, 'bind-hostname')).toBe('0.0.0.0');
    expect(hoconValue(elasticmq.get('node-address') ?? '', 'port')).toBe('9324');
    expect(hoconValue(elasticmq.get('aws') ?? '', 'region')).toBe(env.AWS_REGION);
  });

  it('is what the elasticmq healthcheck looks for', () => {
    const probed = /QueueName=([A-Za-z0-9_-]+)/.exec(healthcheckText(services.elasticmq!))?.[1];
    expect(probed).toBeDefined();
    expect(elasticmqQueues.has(probed!)).toBe(true);
  });
});

describe('docker-compose.yml: S3 (MinIO) and vLLM profiles', () => {
  it('runs MinIO with a healthcheck and creates the buckets once it is healthy', () => {
    expect(services.minio?.healthcheck?.test).toBeDefined();
    const setup = services['minio-setup'] as Service & { entrypoint?: string[]; depends_on?: Record<string, { condition: string }> };
    expect(setup.depends_on?.minio?.condition).toBe('service_healthy');
    const script = (setup.entrypoint ?? []).join(' ');
    expect(script).toContain('mc mb --ignore-existing local/coldstart-models');
    expect(script).toContain('mc mb --ignore-existing local/coldstart-snapshots');
  });

  it('points the embed pool at MinIO with the same keys MinIO was given', () => {
    const embed = definedEnv(services['worker-embed']!);
    const minio = definedEnv(services.minio!);
    expect(new URL(String(embed.S3_ENDPOINT)).hostname).toBe('minio');
    expect(embed.AWS_ACCESS_KEY_ID).toBe(minio.MINIO_ROOT_USER);
    expect(embed.AWS_SECRET_ACCESS_KEY).toBe(minio.MINIO_ROOT_PASSWORD);
  });

  it('puts vLLM under the cpu and neuron profiles, each with a health check, and no app needs it', () => {
    const cpu = services['vllm-cpu'] as Service & { profiles?: string[] };
    const neuron = services['vllm-neuron'] as Service & { profiles?: string[]; devices?: string[] };
    expect(cpu.profiles).toEqual(['cpu']);
    expect(neuron.profiles).toEqual(['neuron']);
    for (const vllm of [cpu, neuron]) expect(vllm.healthcheck?.test).toBeDefined();
    expect(neuron.devices?.some((d) => d.startsWith('/dev/neuron'))).toBe(true);
    expect(definedEnv(neuron).NEURON_RT_VISIBLE_CORES).toBeDefined();
    expect((neuron as { command?: string[] }).command).toContain('--tensor-parallel-size');
    // Without a profile, `docker compose up` must still start: nothing depends on vLLM.
    for (const [name, service] of Object.entries(services)) {
      const dependsOn = Object.keys((service as { depends_on?: Record<string, unknown> }).depends_on ?? {});
      expect(dependsOn.filter((d) => d.startsWith('vllm')), name).toEqual([]);
    }
  });
});

describe('docker-compose.yml: worker-expand and the LLM', () => {
  const vllmProfiles = Object.entries(services)
    .map(([name, service]) => [name, (service as { profiles?: string[] }).profiles ?? []] as const)
    .filter(([name]) => name.startsWith('vllm'));

  /**
   * The `VAR=value ... docker compose --profile <p> up` commands the file's comments give,
   * with `\` continuations joined: what an engineer copies to turn the LLM on.
   */
  const documentedRuns = read('docker-compose.yml')
    .replace(/\\\n#\s*/g, ' ')
    .split('\n')
    .map((line) => /^#\s+((?:[A-Z_][A-Z0-9_]*=\S+\s+)+)docker compose --profile (\S+) up\b/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      profile: m[2]!,
      shell: Object.fromEntries(m[1]!.trim().split(/\s+/).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)])) as Shell,
    }));

  it('leaves the LLM off by default: LLM_BASE_URL only passed through from the shell, never empty', () => {
    // null in the file = taken from the shell, and unset in the container when the shell has none.
    const raw = rawCompose.services['worker-expand']!.environment as Record<string, unknown>;
    expect(raw).toHaveProperty('LLM_BASE_URL');
    expect(raw.LLM_BASE_URL).toBeNull();
    expect(definedEnv(services['worker-expand']!).LLM_BASE_URL).toBeUndefined();
    const config = ExpandEnv.parse(definedEnv(services['worker-expand']!));
    expect(configuredVariants(config), 'the catalog expander serves alone').toBeUndefined();
    // What compose would pass for `${LLM_BASE_URL:-}`: the app refuses it, so it must not appear.
    expect(ExpandEnv.safeParse({ ...definedEnv(services['worker-expand']!), LLM_BASE_URL: '' }).success).toBe(false);
  });

  it('documents how to turn it on with each vLLM profile', () => {
    expect(vllmProfiles.length).toBeGreaterThan(0);
    for (const [name, profiles] of vllmProfiles) {
      expect(profiles, name).toHaveLength(1);
      expect(documentedRuns.map((r) => r.profile), `no documented run for ${name}`).toContain(profiles[0]);
    }
  });

  it.each(documentedRuns.map((r) => [r.profile, r] as const))('with --profile %s as documented, calls that profile\'s vLLM for the model it serves', (profile, run) => {
    const started = servicesWith(run.shell);
    const env = definedEnv(started['worker-expand']!, run.shell);
    const parsed = ExpandEnv.safeParse(env);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    const models = Object.values(configuredVariants(parsed.data!) ?? {}).filter(isModelVariant);
    expect(models).toHaveLength(1);
    const url = new URL(models[0]!.baseUrl);
    const server = started[url.hostname] as (Service & { profiles?: string[] }) | undefined;
    expect(server, `${url.hostname} is not a service`).toBeDefined();
    expect(server!.profiles).toEqual([profile]);
    const args = [server!.command ?? []].flat();
    const argAfter = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
    expect(url.port).toBe(argAfter('--port'));
    expect(url.pathname).toBe('/v1');
    // vLLM serves the model under its --model (`vllm serve <model>` for the neuron image).
    expect(models[0]!.model).toBe(argAfter('--model') ?? argAfter('serve'));
    expect(server!.healthcheck?.test).toBeDefined();
  });
});
