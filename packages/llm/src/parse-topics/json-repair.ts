// Repairing what models get wrong about JSON, so that JSON.parse can read it.

/**
 * Copies the bracketed value starting at `start` while repairing what models get wrong about
 * JSON (single quotes, smart quotes, trailing commas, comments, Python literals), and closes it
 * after its last complete item if the output ends inside it. Undefined when brackets mismatch.
 */
export function scanJson(text: string, start: number): { json: string; end: number } | undefined {
  let closers: Closers;
  let out = '';
  // Where the output could be cut so that only complete items remain.
  let afterItem: { length: number; closers: Closers } | undefined;
  let afterString: { length: number; closers: Closers } | undefined;
  let i = start;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '[' || ch === '{') {
      closers = { closer: ch === '[' ? ']' : '}', outer: closers };
      out += ch;
      i++;
    } else if (ch === ']' || ch === '}') {
      if (closers?.closer !== ch) return undefined;
      closers = closers.outer;
      const trimmed = out.trimEnd();
      out = (trimmed.endsWith(',') ? trimmed.slice(0, -1) : trimmed) + ch;
      i++;
      if (closers === undefined) return { json: out, end: i };
      afterString = undefined;
    } else if (ch === ',') {
      afterItem = { length: out.length, closers };
      afterString = undefined;
      out += ch;
      i++;
    } else if (ch === '"' || ch === '“' || ch === '”' || (ch === "'" && atValueStart(out))) {
      const string = readString(text, i);
      if (string === undefined) break;
      out += string.json;
      i = string.end;
      afterString = closers?.closer === ']' ? { length: out.length, closers } : undefined;
    } else if (ch === '/' && text[i + 1] === '/') {
      const newline = text.indexOf('\n', i);
      i = newline === -1 ? text.length : newline;
    } else if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else if (/[A-Za-z]/.test(ch)) {
      const word = /^[A-Za-z_]+/.exec(text.slice(i, i + 40))?.[0] ?? ch;
      out += PYTHON_LITERALS[word] ?? word;
      i += word.length;
      afterString = undefined;
    } else {
      out += ch;
      i++;
      if (!/\s/.test(ch)) afterString = undefined;
    }
  }
  // The output ended inside the value: keep what was complete.
  const cut = afterString ?? afterItem;
  if (cut === undefined) return undefined;
  let json = out.slice(0, cut.length);
  for (let open = cut.closers; open !== undefined; open = open.outer) json += open.closer;
  return { json, end: text.length };
}

/** The brackets open at a point of the scan, innermost first; shared, so a snapshot costs nothing. */
type Closers = { closer: string; outer: Closers } | undefined;

const PYTHON_LITERALS: Record<string, string> = { None: 'null', True: 'true', False: 'false' };

function atValueStart(out: string): boolean {
  const last = out.trimEnd().at(-1);
  return last === '[' || last === '{' || last === ',' || last === ':';
}

/** Reads a quoted string at `start` and returns it as a JSON string literal; undefined if unterminated. */
function readString(text: string, start: number): { json: string; end: number } | undefined {
  const open = text[start];
  if (open === '"') {
    const close = endOfDoubleQuoted(text, start + 1);
    if (close === -1) return undefined;
    // Raw newlines, tabs and other C0 controls are invalid inside JSON strings; cleanTopic
    // removes them from the topic anyway, so they must not make the whole list unparseable.
    const json = text.slice(start, close + 1).replace(/[\u0000-\u001f]/g, ' ');
    return { json, end: close + 1 };
  }
  if (open === "'") {
    // An apostrophe inside the string ("children's") is not followed by a delimiter.
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === "'" && /^\s*(?:[,\]}:]|$)/.test(text.slice(i + 1, i + 20))) {
        return { json: JSON.stringify(text.slice(start + 1, i).replace(/\\'/g, "'")), end: i + 1 };
      }
    }
    return undefined;
  }
  const close = /[”"]/.exec(text.slice(start + 1));
  if (close === null) return undefined;
  return { json: JSON.stringify(text.slice(start + 1, start + 1 + close.index)), end: start + 2 + close.index };
}

/** Index of the quote closing a double-quoted string whose content starts at `from`, or -1. */
export function endOfDoubleQuoted(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
