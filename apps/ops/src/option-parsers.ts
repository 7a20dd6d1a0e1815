import { InvalidArgumentError } from 'commander';
import { DurationError, parseDuration, parseRate } from './durations.js';

const wrap =
  <T>(parse: (value: string) => T) =>
  (value: string): T => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof DurationError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };

/** Commander parsers for the commands' options; the development CLI uses them too. */
export const durationOption = wrap(parseDuration);
export const rateOption = wrap(parseRate);

export interface NumberBounds {
  /** Whole numbers only. */
  integer?: boolean;
  min?: number;
  max?: number;
  /** Strictly greater than this. */
  above?: number;
}

/** A parser for a finite number within the bounds; anything else fails with `message`. */
export const numberOption =
  (message: string, bounds: NumberBounds) =>
  (value: string): number => {
    const n = Number(value);
    const { integer = false, min = -Infinity, max = Infinity, above = -Infinity } = bounds;
    if (!(integer ? Number.isInteger(n) : Number.isFinite(n)) || n < min || n > max || n <= above) throw new InvalidArgumentError(message);
    return n;
  };

export const positiveIntOption = numberOption('must be a positive whole number', { integer: true, min: 1 });
/** Comma-separated: `1,8,32`. */
export const positiveIntListOption = (value: string): number[] => value.split(',').map((n) => positiveIntOption(n.trim()));

/** Thrown when a destructive command lacks `--yes`; the CLI exits 1 with its message. */
export class ConfirmationRequiredError extends Error {
  override readonly name = 'ConfirmationRequiredError';
}

export function requireYes(yes: boolean | undefined, what: string): void {
  if (!yes) throw new ConfirmationRequiredError(`refusing to ${what} without --yes; nothing was deleted (add --yes to confirm)`);
}
