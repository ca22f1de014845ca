/**
 * Values for the apply fuzzer's generators (test/helpers/manifest-arbitraries.ts): names, the
 * durations, counts, timeouts and text a manifest may hold at and near its bounds.
 */
import fc from "fast-check";

/** Every generated name starts with this; the harness replaces it so that cases never share a name. */
export const NAME_TOKEN = "fz-";
export const TEMPLATES = [0, 1, 2].map((i) => `${NAME_TOKEN}t${i}`);

/** Mostly `valid`, once in a while `invalid`: a case holds many fields, and one bad one refuses it all. */
export function mostly<T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 100, arbitrary: valid }, { weight: 1, arbitrary: invalid });
}

const DURATIONS = [0, 1, 3600, 31_536_000, "1ms", "250ms", "1s", "1h0m0s0ms", "8760h", "525600m"] as const;
/** Durations from nothing to the one-year bound, as numbers and as text. */
export const duration = fc.constantFrom(...DURATIONS);
/** Intervals: positive (lint refuses 0), down to a millisecond. */
export const interval = fc.constantFrom("1ms", "100ms", "1s", "5s", "8760h", 1);
/** A command metric starts a process each time: never faster than 100 ms, to spare this shared machine. */
export const commandInterval = fc.constantFrom("100ms", "1s", "5s", "8760h");
/** Counts and limits up to the bound. */
export const count = fc.constantFrom(0, 1, 2, 3, 10, 1000, 100_000);
export const timeout = fc.constantFrom(0.001, 0.5, 1, 30, 3600);
export const delaySeconds = fc.constantFrom(0, 1, 30, 31_536_000);
export const percent = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constantFrom(0, 100));
/** Replicas a case may ask for: a few, so that a batch of cases fits on this machine. */
export const smallReplicas = fc.constantFrom(0, 1, 1, 1, 2, 3);

/** Strings that are allowed where free text is: long, Unicode, shell-looking, template-looking. */
export const oddText = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "é\u2028\uFEFF🙂",
    "$(rm -rf /)",
    "`id`",
    "{{args.url}}",
    "%s%n%x",
    "\\x00",
    "x".repeat(10_000),
    "y".repeat(65_536),
  ),
  fc.string({ maxLength: 30 }).filter((s) => !s.includes("\0")),
);

const ENV_NAMES = ["A", "_", "a.b-c", "-x", "NODE_OPTIONS", "LD_PRELOAD", "PATH", "HOME", "X".repeat(253)];
/** Env lists with odd names and values, reserved names included. */
export const env = fc.array(fc.record({ name: fc.constantFrom(...ENV_NAMES), value: oddText }), { maxLength: 4 });
