/**
 * True when `text` opens more than `limit` arrays/objects at once. Brackets inside JSON
 * strings are skipped. The scan is linear and allocation-free; malformed input is not
 * diagnosed here (JSON.parse does that), only its depth is bounded.
 *
 * Why at all: V8's JSON.parse copes with 100,000 nested arrays, but recursive code that
 * later walks the value (zod, structuredClone, loggers, util.inspect) may not.
 */
export function nestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}
