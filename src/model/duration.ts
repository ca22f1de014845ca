import { z } from "zod";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration as users write it: a number of seconds, or a string such as `30s`, `5m`, `1h30m`, `250ms`.
 * Kept as written in the spec; convert with {@link durationMs}.
 *
 * @example durationMs("1m30s") // 90000
 */
export const Duration = z.union([
  z.number().int().nonnegative(),
  z.string().regex(/^(\d+(ms|s|m|h))+$/, 'use a number of seconds or a string like "30s", "5m", "1h"'),
]);
export type Duration = z.infer<typeof Duration>;

/** Converts a {@link Duration} to milliseconds. */
export function durationMs(d: Duration): number {
  if (typeof d === "number") return d * 1000;
  let total = 0;
  for (const [, n, unit] of d.matchAll(/(\d+)(ms|s|m|h)/g)) total += Number(n) * (UNIT_MS[unit as string] ?? 0);
  return total;
}
