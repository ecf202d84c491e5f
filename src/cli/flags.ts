import { EXIT, OperationError } from "../operations/exit-codes";

/** A `--flag SECONDS` value in milliseconds (`fallback` seconds when the flag is absent). */
export function secondsFlag(raw: string | undefined, flag: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback * 1000;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value <= 0 || value > max) {
    throw new OperationError(EXIT.usage, `--${flag} "${raw}" is not a number of seconds from 0 to ${max}`, `e.g. --${flag} ${fallback}`);
  }
  return value * 1000;
}

/** A `--flag N` whole percentage, or undefined when the flag is absent. */
export function percentFlag(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d{1,3}$/.test(raw) || value > 100) throw new OperationError(EXIT.usage, `--${flag} "${raw}" is not a whole number from 0 to 100`);
  return value;
}

/** A `--flag N` whole number of days from 0 to 3650, `fallback` when the flag is absent. */
export function daysFlag(raw: string | undefined, flag: string, fallback?: number): number | undefined {
  if (raw === undefined) return fallback;
  if (!/^\d{1,4}$/.test(raw) || Number(raw) > 3650)
    throw new OperationError(EXIT.usage, `--${flag} "${raw}" is not a whole number of days from 0 to 3650`, `e.g. --${flag} 14`);
  return Number(raw);
}
