import { InvalidArgumentError } from 'commander';

/**
 * Numeric flag parsers for commander: a value that is not the number asked for stops the command
 * with commander's "error: option '--concurrency <n>' argument 'abc' is invalid. expected …" message.
 */
export const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (v: string): number => {
    const n = v.trim() === '' ? Number.NaN : Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER ? `expected a whole number ≥ ${min}` : `expected a whole number from ${min} to ${max}`,
      );
    }
    return n;
  };

/** A number in (0, 1]. */
export const fraction = (v: string): number => {
  const n = Number(v);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('expected a number in (0, 1]');
  return n;
};
