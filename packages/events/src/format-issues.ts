import type { z } from 'zod';

/** How many issues one error string lists; the rest are counted, not spelled out. */
export const MAX_LISTED_ISSUES = 3;

// Anything echoed back from the body is cut short: an error line must stay small even
// when the offending value or key is 200 KiB long.
const MAX_ECHO = 40;

/** A short, safe description of a value for error messages ("a string", "2.5", "null"). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'undefined':
      return 'nothing';
    case 'string':
      return 'a string';
    case 'number':
      // JSON.parse turns 1e400 into Infinity, so say what happened rather than "Infinity".
      return Number.isFinite(value) ? String(value) : 'a number too large to represent';
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** A primitive quoted for an error message, truncated; JSON.stringify escapes controls. */
export function quoteValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value);
  }
  return describeValue(value);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Formats a zod path as `interests.items[3].rating` or `attributes["page count"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else if (typeof segment === 'string' && segment.length <= MAX_ECHO && IDENTIFIER.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else {
      out += `[${quoteValue(String(segment))}]`;
    }
  }
  return out;
}

const ARTICLE: Record<string, string> = {
  int: 'an integer',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

function expectedPhrase(expected: string): string {
  return ARTICLE[expected] ?? `a ${expected}`;
}

function joinAlternatives(phrases: string[]): string {
  if (phrases.length <= 1) return phrases.join('');
  return `${phrases.slice(0, -1).join(', ')} or ${phrases.at(-1)}`;
}

/**
 * Wording for zod's generic issues, passed per parse so that this package does not
 * change zod's global configuration for the rest of the process. Messages set on a schema
 * (length, blank, control characters, ...) take precedence over this map.
 */
export const eventErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      if (typeof issue.input === 'number' && !Number.isFinite(issue.input)) {
        return `must be a finite number (got ${describeValue(issue.input)})`;
      }
      return `must be ${expectedPhrase(issue.expected)} (got ${describeValue(issue.input)})`;
    case 'invalid_union': {
      const expected = issue.errors.flatMap((branch) =>
        branch.flatMap((i) => (i.code === 'invalid_type' ? [expectedPhrase(i.expected)] : [])),
      );
      if (expected.length === 0) return undefined;
      return `must be ${joinAlternatives([...new Set(expected)])} (got ${describeValue(issue.input)})`;
    }
    case 'invalid_value':
      return `must be ${joinAlternatives(issue.values.map((v) => JSON.stringify(v) ?? String(v)))}`;
    case 'too_big':
      return boundPhrase('at most', issue.origin, issue.maximum);
    case 'too_small':
      return boundPhrase('at least', issue.origin, issue.minimum);
    default:
      return undefined;
  }
};

/** "must have at most 5 entries", "must be at least 1 characters", "must be at most 5". */
function boundPhrase(bound: 'at most' | 'at least', origin: string, limit: number | bigint): string {
  if (origin === 'array') return `must have ${bound} ${limit} entries`;
  return origin === 'string' ? `must be ${bound} ${limit} characters` : `must be ${bound} ${limit}`;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    return `key is invalid: ${inner === undefined ? issue.message : issueMessage(inner)}`;
  }
  return issue.message;
}

/** Renders issues as `path: reason; path: reason; ...and N more issues`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const where = formatPath(issue.path);
    return `${where === '' ? 'body' : where}: ${issueMessage(issue)}`;
  });
  const rest = issues.length - listed.length;
  if (rest > 0) listed.push(`...and ${rest} more issue${rest === 1 ? '' : 's'}`);
  return listed.join('; ');
}
