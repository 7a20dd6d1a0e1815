import { z } from 'zod';

// Lengths are counted in UTF-16 code units (String#length), not code points or bytes:
// that is what every JavaScript consumer sees, and the 256 KiB body cap bounds bytes anyway.

// Ids end up in Redis keys, log lines and file names, where any control character
// (C0, DEL, C1) is a source of confusion or injection, so ids reject all of them.
const ID_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

// Free text (titles, descriptions, category names) legitimately carries tab, newline and
// CR; other C0 controls (NUL, ESC, ...) are never meaningful in book metadata and break
// terminals and C-string consumers. DEL and C1 are allowed: they appear in mis-decoded
// legacy metadata, and rejecting a whole book for them would lose more than it protects.
const FREE_TEXT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

export const NOT_WELL_FORMED = 'is not well-formed Unicode (contains a lone surrogate)';

function lengthReason(min: number, max: number): string {
  return min > 0 ? `must be ${min}–${max} characters` : `must be at most ${max} characters`;
}

/** Returns why `value` is not a valid id, or undefined when it is. */
export function idProblem(value: string, max: number): string | undefined {
  if (value.length < 1 || value.length > max) return lengthReason(1, max);
  if (!value.isWellFormed()) return NOT_WELL_FORMED;
  if (ID_CONTROL.test(value)) return 'contains a control character';
  return undefined;
}

export interface FreeTextRule {
  readonly min: number;
  readonly max: number;
  /** When false, a value that is empty after trimming whitespace is rejected. */
  readonly blankAllowed: boolean;
}

/** Returns why `value` is not acceptable free text, or undefined when it is. */
export function freeTextProblem(value: string, rule: FreeTextRule): string | undefined {
  if (value.length < rule.min || value.length > rule.max) return lengthReason(rule.min, rule.max);
  if (!rule.blankAllowed && value.trim().length === 0) return 'must not be blank';
  if (!value.isWellFormed()) return NOT_WELL_FORMED;
  if (FREE_TEXT_CONTROL.test(value)) {
    return 'contains a control character (only tab, newline and carriage return are allowed)';
  }
  return undefined;
}

// Each string kind reports at most one reason, so an error names the first real problem
// instead of a cascade ("too long; contains a control character; ...") for one field.
export function idString(max: number) {
  return z.string().superRefine((value, ctx) => {
    const reason = idProblem(value, max);
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });
}

export function freeText(rule: FreeTextRule) {
  return z.string().superRefine((value, ctx) => {
    const reason = freeTextProblem(value, rule);
    if (reason !== undefined) ctx.addIssue({ code: 'custom', message: reason });
  });
}
