import type { z } from 'zod';
import { deploymentPrefix } from './redis.js';

/** Thrown when the environment does not satisfy an app's schema; `issues` lists every problem, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly string[]) {
    super(`invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

/** Variables whose value is a secret by name: an error names the variable but never shows its value. */
const SECRET_NAME = /TOKEN|PASSWORD|SECRET|CREDENTIAL|PRIVATE|(^|_)KEY$/i;

/**
 * The value as an error may show it: secrets by name hidden, JSON values hidden (a structured
 * setting such as LLM_VARIANTS may hold a pasted key), and user:password stripped from URLs.
 */
export function displayValue(name: string, value: string): string {
  if (SECRET_NAME.test(name)) return '[redacted]';
  if (/^\s*[[{]/.test(value)) return `[${value.length} characters of JSON, not shown]`;
  // Not only valid URLs: an invalid one (wrong scheme, typo) is exactly what gets reported.
  const withCredentials = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i.exec(value);
  if (withCredentials) return JSON.stringify(`${withCredentials[1]}[redacted]@${value.slice(withCredentials[0].length)}`);
  return JSON.stringify(value);
}

/**
 * Parses `env` with `schema` and reports every invalid variable at once, so an operator fixes a
 * deployment in one round instead of one variable per restart.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return onClusterTagged(result.data);
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.map(String).join('.') || '(environment)';
      const value = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
      return value === undefined ? `${name}: ${issue.message}` : `${name}=${displayValue(name, value)}: ${issue.message}`;
    }),
  );
}

/**
 * Every app's keys go under COLDSTART_PREFIX; on a cluster that prefix must be a hash tag
 * (`deploymentPrefix`), so an app that reads both settings sees the tagged prefix and no code
 * past this point has to know which kind of Redis it talks to.
 */
function onClusterTagged<T>(data: T): T {
  if (typeof data !== 'object' || data === null) return data;
  const { REDIS_URL: url, COLDSTART_PREFIX: prefix } = data as { REDIS_URL?: unknown; COLDSTART_PREFIX?: unknown };
  if (typeof url !== 'string' || typeof prefix !== 'string') return data;
  return { ...data, COLDSTART_PREFIX: deploymentPrefix(url, prefix) };
}
