import { z } from "zod";
import { MAX_DURATION_MS, MAX_DURATION_SECONDS } from "./limits.js";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const FORMAT = /^(\d+(ms|s|m|h))+$/;
const TOO_LONG = `must be at most one year (${MAX_DURATION_SECONDS / 3600}h)`;

/**
 * A duration as users write it: a number of seconds, or a string such as `30s`, `5m`, `1h30m`, `250ms`.
 * Kept as written in the spec; convert with {@link durationMs}. At most one year, so that
 * `now + duration` is always a valid Date and a timer can hold it.
 *
 * @example durationMs("1m30s") // 90000
 */
export const Duration = z.union([
  z.number().int().nonnegative().max(MAX_DURATION_SECONDS, TOO_LONG),
  z
    .string()
    // Checked first and alone, so a megabyte of digits never reaches the pattern.
    .max(64, { message: TOO_LONG, abort: true })
    .regex(FORMAT, 'use a number of seconds or a string like "30s", "5m", "1h"')
    .refine((d) => !FORMAT.test(d) || durationMs(d) <= MAX_DURATION_MS, TOO_LONG),
]);
export type Duration = z.infer<typeof Duration>;

/** Converts a {@link Duration} to milliseconds. */
export function durationMs(d: number | string): number {
  if (typeof d === "number") return d * 1000;
  let total = 0;
  for (const [, n, unit] of d.matchAll(/(\d+)(ms|s|m|h)/g)) total += Number(n) * (UNIT_MS[unit as string] ?? 0);
  return total;
}
