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

/** Commander parsers for the operations commands' options. */
export const durationOption = wrap(parseDuration);
export const rateOption = wrap(parseRate);
export const positiveIntOption = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
  return n;
};
