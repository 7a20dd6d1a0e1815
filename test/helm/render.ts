import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/*
 * A small renderer for the subset of Go text/template + Sprig that helm/coldstart's templates
 * use. No helm binary runs on the development machines, so this is what renders the chart in
 * the tests. It follows Go where a difference would hide a bug the real Helm would show:
 * - values' numbers are float64 (printed like Go's %v: 1000000 → "1e+06"); template literals,
 *   `int`, `add`, `sub`, `div` give int64 (bigint here); `eq` of an int and a float fails;
 * - a field of a missing value fails ("nil pointer evaluating"); a missing key prints "";
 * - `range` over a map visits keys in sorted order; `and`/`or` return an argument.
 * Unknown functions and syntax throw, so a template beyond the subset fails loudly.
 */

type Value = unknown;
type Scope = { vars: Map<string, Value>; parent?: Scope };

interface Pipeline {
  decl?: { names: string[]; assign: boolean };
  commands: Operand[][];
}
type Operand =
  | { t: 'str'; v: string }
  | { t: 'num'; v: Value }
  | { t: 'bool'; v: boolean }
  | { t: 'nil' }
  | { t: 'field'; base: 'dot' | string; path: string[] }
  | { t: 'fn'; name: string }
  | { t: 'paren'; p: Pipeline };

type Node =
  | { k: 'text'; v: string }
  | { k: 'action'; p: Pipeline }
  | { k: 'if'; branches: { cond: Pipeline; body: Node[] }[]; otherwise?: Node[] }
  | { k: 'range'; p: Pipeline; body: Node[]; otherwise?: Node[] }
  | { k: 'with'; p: Pipeline; body: Node[]; otherwise?: Node[] }
  | { k: 'template'; name: string; p?: Pipeline };

// --- lexing --------------------------------------------------------------------------------

type Chunk = { text: string } | { action: string };

function chunks(source: string): Chunk[] {
  const out: Chunk[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open === -1) {
      out.push({ text: source.slice(i) });
      break;
    }
    let text = source.slice(i, open);
    let start = open + 2;
    if (source.startsWith('- ', start) || source.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    let close = -1;
    let quote: string | undefined;
    for (let j = start; j < source.length; j += 1) {
      const c = source[j]!;
      if (quote) {
        if (c === '\\' && quote === '"') j += 1;
        else if (c === quote) quote = undefined;
      } else if (source.startsWith('/*', j)) {
        const end = source.indexOf('*/', j + 2);
        if (end === -1) throw new Error('unclosed comment');
        j = end + 1;
      } else if (c === '"' || c === '`') quote = c;
      else if (source.startsWith('}}', j)) {
        close = j;
        break;
      }
    }
    if (close === -1) throw new Error(`unclosed action at ${open}`);
    let body = source.slice(start, close);
    let next = close + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      const rest = /^\s*/.exec(source.slice(next))![0];
      next += rest.length;
    }
    out.push({ text }, { action: body.trim() });
    i = next;
  }
  return out.filter((c) => !('text' in c) || c.text !== '');
}

function tokens(action: string): string[] {
  const out: string[] = [];
  const re = /\s+|("(?:[^"\\]|\\.)*")|(`[^`]*`)|(:=)|([()|=,])|(-?\d+(?:\.\d+)?)|(\$[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)|((?:\.[A-Za-z0-9_]+)+|\.)|([A-Za-z_][A-Za-z0-9_]*)/y;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < action.length) {
    re.lastIndex = at;
    m = re.exec(action);
    if (!m) throw new Error(`cannot lex "${action.slice(at)}" in {{ ${action} }}`);
    if (m[0].trim() !== '') out.push(m[0]);
    at = re.lastIndex;
  }
  return out;
}

// --- parsing -------------------------------------------------------------------------------

function parsePipeline(toks: string[]): Pipeline {
  let pos = 0;
  const pipeline: Pipeline = { commands: [] };
  const declAt = toks.findIndex((t) => t === ':=' || t === '=');
  if (declAt > 0 && toks.slice(0, declAt).every((t) => t.startsWith('$') || t === ',')) {
    pipeline.decl = { names: toks.slice(0, declAt).filter((t) => t !== ','), assign: toks[declAt] === '=' };
    pos = declAt + 1;
  }
  const operand = (): Operand => {
    const t = toks[pos++];
    if (t === undefined) throw new Error(`unexpected end in ${toks.join(' ')}`);
    if (t === '(') {
      let depth = 1;
      const start = pos;
      while (depth > 0) {
        const u = toks[pos++];
        if (u === undefined) throw new Error('unbalanced (');
        if (u === '(') depth += 1;
        if (u === ')') depth -= 1;
      }
      return { t: 'paren', p: parsePipeline(toks.slice(start, pos - 1)) };
    }
    if (t.startsWith('"')) return { t: 'str', v: JSON.parse(t) as string };
    if (t.startsWith('`')) return { t: 'str', v: t.slice(1, -1) };
    if (/^-?\d/.test(t)) return { t: 'num', v: t.includes('.') ? Number(t) : BigInt(t) };
    if (t === 'true' || t === 'false') return { t: 'bool', v: t === 'true' };
    if (t === 'nil') return { t: 'nil' };
    if (t.startsWith('$')) {
      const [name, ...path] = t.split('.');
      return { t: 'field', base: name!, path };
    }
    if (t.startsWith('.')) return { t: 'field', base: 'dot', path: t === '.' ? [] : t.slice(1).split('.') };
    if (/^[A-Za-z_]/.test(t)) return { t: 'fn', name: t };
    throw new Error(`unexpected "${t}" in ${toks.join(' ')}`);
  };
  let command: Operand[] = [];
  while (pos < toks.length) {
    if (toks[pos] === '|') {
      pos += 1;
      pipeline.commands.push(command);
      command = [];
      continue;
    }
    command.push(operand());
  }
  pipeline.commands.push(command);
  if (pipeline.commands.some((c) => c.length === 0)) throw new Error(`empty command in ${toks.join(' ')}`);
  return pipeline;
}

function parseTemplate(source: string, defines: Map<string, Node[]>): Node[] {
  const list = chunks(source);
  let pos = 0;
  const block = (terminators: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (pos < list.length) {
      const c = list[pos++]!;
      if ('text' in c) {
        nodes.push({ k: 'text', v: c.text });
        continue;
      }
      const a = c.action;
      if (a.startsWith('/*')) continue;
      const word = /^[a-z]+/.exec(a)?.[0] ?? '';
      const rest = a.slice(word.length).trim();
      if (terminators.includes(word)) {
        pos -= 1;
        return { nodes, end: word };
      }
      if (word === 'if' || word === 'with') {
        const branches: { cond: Pipeline; body: Node[] }[] = [];
        let cond = parsePipeline(tokens(rest));
        let otherwise: Node[] | undefined;
        for (;;) {
          const inner = block(['else', 'end']);
          branches.push({ cond, body: inner.nodes });
          const term = (list[pos++] as { action: string }).action;
          if (term === 'end') break;
          const elseIf = /^else\s+if\s+(.*)$/s.exec(term);
          if (elseIf && word === 'if') {
            cond = parsePipeline(tokens(elseIf[1]!));
            continue;
          }
          if (term !== 'else') throw new Error(`unsupported {{ ${term} }}`);
          otherwise = block(['end']).nodes;
          pos += 1;
          break;
        }
        if (word === 'with') {
          if (branches.length !== 1) throw new Error('else with is not supported');
          nodes.push({ k: 'with', p: branches[0]!.cond, body: branches[0]!.body, otherwise });
        } else nodes.push({ k: 'if', branches, otherwise });
      } else if (word === 'range') {
        const p = parsePipeline(tokens(rest));
        const inner = block(['else', 'end']);
        const term = (list[pos++] as { action: string }).action;
        let otherwise: Node[] | undefined;
        if (term === 'else') {
          otherwise = block(['end']).nodes;
          pos += 1;
        }
        nodes.push({ k: 'range', p, body: inner.nodes, otherwise });
      } else if (word === 'define') {
        const name = JSON.parse(rest) as string;
        const inner = block(['end']);
        pos += 1;
        defines.set(name, inner.nodes);
      } else if (word === 'template') {
        const m = /^("(?:[^"\\]|\\.)*")\s*(.*)$/s.exec(rest);
        if (!m) throw new Error(`bad template action ${a}`);
        nodes.push({ k: 'template', name: JSON.parse(m[1]!) as string, p: m[2] ? parsePipeline(tokens(m[2])) : undefined });
      } else if (word === 'else' || word === 'end') {
        throw new Error(`unexpected {{ ${a} }}`);
      } else if (['block', 'break', 'continue'].includes(word) && rest === '') {
        throw new Error(`{{ ${word} }} is not supported by this renderer`);
      } else {
        nodes.push({ k: 'action', p: parsePipeline(tokens(a)) });
      }
    }
    return { nodes, end: '' };
  };
  const { nodes, end } = block([]);
  if (end !== '') throw new Error(`unexpected {{ ${end} }}`);
  return nodes;
}

// --- values: Go-ish formatting and truth ----------------------------------------------------

const isMap = (v: Value): v is Record<string, Value> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Go's %v of a float64 (strconv 'g', shortest): exponent form below 1e-4 and from 1e6 on, so 1000000 → "1e+06". */
export function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return '0';
  const [mantissa, e] = n.toExponential().split('e') as [string, string];
  const exponent = Number(e);
  if (exponent < -4 || exponent >= 6) return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return String(n);
}

function str(v: Value): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'boolean') return String(v);
  throw new Error(`refusing to print a ${Array.isArray(v) ? 'list' : 'map'} (${JSON.stringify(v)}): use toYaml`);
}

function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0 || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

function toInt(v: Value): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
  if (v === undefined || v === null || v === '') return 0n;
  throw new Error(`cannot convert ${JSON.stringify(v)} to int`);
}

function kind(v: Value): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (v === undefined || v === null) return 'nil';
  return typeof v;
}

function goEq(a: Value, b: Value): boolean {
  if (kind(a) !== kind(b) && kind(a) !== 'nil' && kind(b) !== 'nil') {
    throw new Error(`eq: incompatible types for comparison (${kind(a)} ${str(a)} vs ${kind(b)} ${str(b)})`);
  }
  return a === b;
}

function compare(a: Value, b: Value): number {
  if (kind(a) !== kind(b)) throw new Error(`incompatible types for comparison (${kind(a)} vs ${kind(b)})`);
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

function plain(v: Value): Value {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function printf(format: string, args: Value[]): string {
  let i = 0;
  return format.replace(/%([-+# 0]*\d*)([sdvqt%])/g, (_m, _flags, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[i++];
    if (verb === 'q') return JSON.stringify(str(arg));
    if (verb === 'd') return toInt(arg).toString();
    return str(arg);
  });
}

/**
 * Sprig's toJson is Go's json.Marshal: map keys in sorted order (byte order, not JS's
 * integer-keys-first), and <, >, &, U+2028, U+2029 escaped as \u003c... (Go's HTML-safe default).
 */
function goJson(v: Value): string {
  const text = (s: string): string =>
    JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return text(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  if (isMap(v)) return `{${Object.keys(v).sort().map((k) => `${text(k)}:${goJson(v[k])}`).join(',')}}`;
  throw new Error(`toJson of ${kind(v)}`);
}

const indentText = (n: bigint | number, text: string): string => {
  const pad = ' '.repeat(Number(n));
  return pad + text.replaceAll('\n', `\n${pad}`);
};

// --- evaluation ----------------------------------------------------------------------------

export interface ChartContext {
  Values: Record<string, Value>;
  Release: { Name: string; Namespace: string; Service: string; IsInstall: boolean; IsUpgrade: boolean };
  Chart: { Name: string; Version: string; AppVersion: string };
}

class Renderer {
  readonly defines = new Map<string, Node[]>();

  run(nodes: Node[], dot: Value, scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      switch (node.k) {
        case 'text':
          out += node.v;
          break;
        case 'action': {
          const v = this.pipeline(node.p, dot, scope);
          if (!node.p.decl) out += str(v);
          break;
        }
        case 'if': {
          const branch = node.branches.find((b) => truthy(this.pipeline(b.cond, dot, scope)));
          if (branch) out += this.run(branch.body, dot, { vars: new Map(), parent: scope });
          else if (node.otherwise) out += this.run(node.otherwise, dot, { vars: new Map(), parent: scope });
          break;
        }
        case 'with': {
          const v = this.pipeline(node.p, dot, scope);
          if (truthy(v)) out += this.run(node.body, v, { vars: new Map(), parent: scope });
          else if (node.otherwise) out += this.run(node.otherwise, dot, { vars: new Map(), parent: scope });
          break;
        }
        case 'range': {
          const decl = node.p.decl;
          const collection = this.pipeline({ commands: node.p.commands }, dot, scope);
          let entries: [Value, Value][];
          if (Array.isArray(collection)) entries = collection.map((v, i) => [BigInt(i), v]);
          else if (isMap(collection)) entries = Object.keys(collection).sort().map((k) => [k, collection[k]]);
          else if (collection === undefined || collection === null) entries = [];
          else if (typeof collection === 'bigint') entries = Array.from({ length: Number(collection) }, (_, i) => [BigInt(i), BigInt(i)]);
          else throw new Error(`range over ${kind(collection)}`);
          if (entries.length === 0 && node.otherwise) out += this.run(node.otherwise, dot, { vars: new Map(), parent: scope });
          for (const [key, value] of entries) {
            const vars = new Map<string, Value>();
            if (decl?.names.length === 1) vars.set(decl.names[0]!, value);
            if (decl?.names.length === 2) {
              vars.set(decl.names[0]!, key);
              vars.set(decl.names[1]!, value);
            }
            out += this.run(node.body, value, { vars, parent: scope });
          }
          break;
        }
        case 'template':
          out += this.include(node.name, node.p ? this.pipeline(node.p, dot, scope) : undefined);
          break;
      }
    }
    return out;
  }

  include(name: string, dot: Value): string {
    const body = this.defines.get(name);
    if (!body) throw new Error(`template "${name}" is not defined`);
    return this.run(body, dot, { vars: new Map([['$', dot]]) });
  }

  lookup(scope: Scope, name: string): Scope | undefined {
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.vars.has(name)) return s;
    return undefined;
  }

  pipeline(p: Pipeline, dot: Value, scope: Scope): Value {
    let result: Value;
    p.commands.forEach((command, i) => {
      result = this.command(command, dot, scope, i === 0 ? [] : [result]);
    });
    if (p.decl) {
      const name = p.decl.names[0]!;
      if (p.decl.assign) {
        const owner = this.lookup(scope, name);
        if (!owner) throw new Error(`undefined variable ${name}`);
        owner.vars.set(name, result);
      } else scope.vars.set(name, result);
    }
    return result;
  }

  operand(o: Operand, dot: Value, scope: Scope): Value {
    switch (o.t) {
      case 'str':
      case 'num':
      case 'bool':
        return o.v;
      case 'nil':
        return undefined;
      case 'paren':
        return this.pipeline(o.p, dot, scope);
      case 'fn':
        return this.call(o.name, [], dot);
      case 'field': {
        let v: Value;
        if (o.base === 'dot') v = dot;
        else {
          const owner = this.lookup(scope, o.base);
          if (!owner) throw new Error(`undefined variable ${o.base}`);
          v = owner.vars.get(o.base);
        }
        const walked: string[] = [];
        for (const key of o.path) {
          if (v === undefined || v === null) throw new Error(`nil pointer evaluating .${walked.join('.')}.${key}`);
          if (!isMap(v)) throw new Error(`can't evaluate field ${key} in ${kind(v)}`);
          v = v[key];
          walked.push(key);
        }
        return v;
      }
    }
  }

  command(ops: Operand[], dot: Value, scope: Scope, piped: Value[]): Value {
    const [head, ...rest] = ops;
    if (head!.t === 'fn') {
      const args = rest.map((o) => this.operand(o, dot, scope));
      return this.call(head!.name, [...args, ...piped], dot);
    }
    if (rest.length > 0 || piped.length > 0) throw new Error('only functions take arguments');
    return this.operand(head!, dot, scope);
  }

  call(name: string, args: Value[], _dot: Value): Value {
    const a = args;
    const arity = (n: number): void => {
      if (a.length !== n) throw new Error(`${name} wants ${n} arguments, got ${a.length}`);
    };
    switch (name) {
      case 'include':
        arity(2);
        return this.include(String(a[0]), a[1]);
      case 'nindent':
        arity(2);
        return `\n${indentText(toInt(a[0]), str(a[1]))}`;
      case 'indent':
        arity(2);
        return indentText(toInt(a[0]), str(a[1]));
      case 'quote':
        return a.filter((x) => x !== undefined && x !== null).map((x) => JSON.stringify(str(x))).join(' ');
      case 'squote':
        return a.filter((x) => x !== undefined && x !== null).map((x) => `'${str(x)}'`).join(' ');
      case 'default':
        if (a.length === 1) return a[0];
        arity(2);
        return truthy(a[1]) ? a[1] : a[0];
      // Sprig's `empty` and Go's `not` are the same test.
      case 'empty':
      case 'not':
        arity(1);
        return !truthy(a[0]);
      case 'required':
        arity(2);
        if (a[1] === undefined || a[1] === null || a[1] === '') throw new Error(`required: ${str(a[0])}`);
        return a[1];
      case 'fail':
        arity(1);
        // Helm aborts the render with the message.
        throw new Error(`fail: ${str(a[0])}`);
      case 'toYaml':
        arity(1);
        return a[0] === undefined || a[0] === null ? 'null' : stringify(plain(a[0])).replace(/\n$/, '');
      case 'toJson':
        arity(1);
        return goJson(a[0]);
      case 'toString':
        arity(1);
        return str(a[0]);
      case 'int':
      case 'int64':
        arity(1);
        return toInt(a[0]);
      case 'add':
        return a.reduce<bigint>((sum, x) => sum + toInt(x), 0n);
      case 'sub':
        arity(2);
        return toInt(a[0]) - toInt(a[1]);
      case 'mul':
        return a.reduce<bigint>((p, x) => p * toInt(x), 1n);
      case 'div':
        arity(2);
        return toInt(a[0]) / toInt(a[1]);
      case 'printf':
        return printf(str(a[0]), a.slice(1));
      case 'print':
        return a.map(str).join('');
      case 'trunc':
        arity(2);
        return str(a[1]).slice(0, Number(toInt(a[0])));
      case 'trimSuffix':
        arity(2);
        return str(a[1]).endsWith(str(a[0])) ? str(a[1]).slice(0, str(a[1]).length - str(a[0]).length) : str(a[1]);
      case 'trimPrefix':
        arity(2);
        return str(a[1]).startsWith(str(a[0])) ? str(a[1]).slice(str(a[0]).length) : str(a[1]);
      case 'hasPrefix':
        arity(2);
        return str(a[1]).startsWith(str(a[0]));
      case 'replace':
        arity(3);
        return str(a[2]).replaceAll(str(a[0]), str(a[1]));
      case 'lower':
        arity(1);
        return str(a[0]).toLowerCase();
      case 'dict': {
        if (a.length % 2 !== 0) throw new Error('dict wants key/value pairs');
        const out: Record<string, Value> = {};
        for (let i = 0; i < a.length; i += 2) out[str(a[i])] = a[i + 1];
        return out;
      }
      case 'list':
        return [...a];
      case 'hasKey':
        arity(2);
        return isMap(a[0]) && Object.hasOwn(a[0], str(a[1]));
      case 'index': {
        let v = a[0];
        for (const key of a.slice(1)) {
          if (Array.isArray(v)) v = v[Number(toInt(key))];
          else if (isMap(v)) v = v[str(key)];
          else throw new Error(`index of ${kind(v)}`);
        }
        return v;
      }
      case 'len':
        arity(1);
        if (typeof a[0] === 'string' || Array.isArray(a[0])) return BigInt(a[0].length);
        if (isMap(a[0])) return BigInt(Object.keys(a[0]).length);
        throw new Error(`len of ${kind(a[0])}`);
      case 'eq':
        return a.slice(1).some((x) => goEq(a[0], x));
      case 'ne':
        arity(2);
        return !goEq(a[0], a[1]);
      case 'lt':
        return compare(a[0], a[1]) < 0;
      case 'le':
        return compare(a[0], a[1]) <= 0;
      case 'gt':
        return compare(a[0], a[1]) > 0;
      case 'ge':
        return compare(a[0], a[1]) >= 0;
      case 'ternary':
        arity(3);
        return truthy(a[2]) ? a[0] : a[1];
      case 'and':
        return a.find((x) => !truthy(x)) ?? a.at(-1);
      case 'or':
        return a.find((x) => truthy(x)) ?? a.at(-1);
      default:
        throw new Error(`function "${name}" is not supported by this renderer`);
    }
  }
}

// --- the chart -----------------------------------------------------------------------------

export interface RenderedChart {
  /** Rendered text per template file (templates/<file>), `_` files and NOTES.txt excluded. */
  files: Record<string, string>;
  notes: string;
  /** Every non-empty YAML document of every file, parsed. */
  documents: { file: string; doc: Record<string, unknown> }[];
}

/** Helm's coalescing of values: maps merge deeply, anything else replaces. */
export function mergeValues(base: Value, override: Value): Value {
  if (isMap(base) && isMap(override)) {
    const out: Record<string, Value> = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = v === null ? undefined : mergeValues(base[k], v);
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
  }
  return override === undefined ? base : override;
}

export function renderChart(chartDir: string, values: Record<string, unknown>, release = { name: 'rel', namespace: 'coldstart' }): RenderedChart {
  const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string };
  const context: ChartContext = {
    Values: values,
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm', IsInstall: true, IsUpgrade: false },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const renderer = new Renderer();
  const dir = join(chartDir, 'templates');
  const names = readdirSync(dir).sort();
  const parsed = new Map<string, Node[]>();
  // Helm parses every file first, so a define anywhere is visible everywhere.
  for (const name of names) parsed.set(name, parseTemplate(readFileSync(join(dir, name), 'utf8'), renderer.defines));
  const files: Record<string, string> = {};
  let notes = '';
  for (const name of names) {
    if (name.startsWith('_')) continue;
    let text: string;
    try {
      text = renderer.run(parsed.get(name)!, context, { vars: new Map([['$', context]]) });
    } catch (error) {
      throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
    }
    if (name === 'NOTES.txt') notes = text;
    else files[name] = text;
  }
  const documents: RenderedChart['documents'] = [];
  for (const [file, text] of Object.entries(files)) {
    for (const part of text.split(/^---\s*$/m)) {
      if (part.trim() === '' || part.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('#'))) continue;
      let doc: unknown;
      try {
        doc = parse(part, { strict: true, uniqueKeys: true });
      } catch (error) {
        throw new Error(`${file}: YAML error: ${(error as Error).message}\n${part}`, { cause: error });
      }
      if (!isMap(doc)) throw new Error(`${file}: a document is not a mapping:\n${part}`);
      documents.push({ file, doc });
    }
  }
  return { files, notes, documents };
}
