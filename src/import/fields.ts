import type { Notes } from "./notes.js";

/** A decoded YAML mapping. */
export type Obj = Record<string, unknown>;

/** Whether `v` is a mapping (not a list, not null). */
export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const PLAIN_KEY = /^[A-Za-z_][\w-]*$/;

/** `spec.strategy` + `canary`; keys that are not plain names are quoted: `plugins["argoproj-labs/gatewayAPI"]`. */
export function child(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (!PLAIN_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

/**
 * Warns about every field of `obj` that is neither in `known` (translated by the caller) nor in
 * `silent` (meaningless after import, such as `status`). Returns `obj` for chaining.
 */
export function known(
  obj: Obj,
  path: string,
  notes: Notes,
  keys: readonly string[],
  silent: readonly string[] = [],
): Obj {
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || keys.includes(k) || silent.includes(k)) continue;
    notes.dropped(child(path, k));
  }
  return obj;
}

/** Adds `value` under `key` unless it is undefined, so outputs carry no empty fields. */
export function put(target: Obj, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** A string field; a number or boolean is written as text (Kubernetes would do the same for an arg value). */
export function str(v: unknown, path: string, notes: Notes): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  notes.warn(path, "expected a string; dropped");
  return undefined;
}

/** A non-negative whole number. Argo allows `"{{args.x}}"` in some of these; Sluice does not. */
export function int(v: unknown, path: string, notes: Notes): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n === "number" && Number.isInteger(n) && n >= 0) return n;
  notes.warn(path, `expected a whole number, got ${JSON.stringify(v)}; dropped`);
  return undefined;
}

/** A boolean field. */
export function bool(v: unknown, path: string, notes: Notes): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "false") return v === "true";
  notes.warn(path, `expected true or false, got ${JSON.stringify(v)}; dropped`);
  return undefined;
}

/** A list field: anything else is warned about and read as empty. */
export function list(v: unknown, path: string, notes: Notes): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  notes.warn(path, "expected a list; dropped");
  return [];
}

/** A mapping field: anything else is warned about and read as missing. */
export function mapping(v: unknown, path: string, notes: Notes): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (isObj(v)) return v;
  notes.warn(path, "expected a mapping; dropped");
  return undefined;
}

/** A mapping of strings to strings (labels, annotations). */
export function stringMap(v: unknown, path: string, notes: Notes): Record<string, string> | undefined {
  const m = mapping(v, path, notes);
  if (m === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(m)) {
    const s = str(x, child(path, k), notes);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** An integer or a percentage such as `"25%"` (maxSurge, maxUnavailable). */
export function intOrPercent(v: unknown, path: string, notes: Notes): number | string | undefined {
  if (typeof v === "string" && /^\d{1,3}%$/.test(v)) return v;
  return int(v, path, notes);
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SLUICE_DURATION = /^(\d+(ms|s|m|h))+$/;
const GO_DURATION = /^((\d+(\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/;

/** Milliseconds as a Sluice duration string: 90000 -> `1m30s`, 1500 -> `1s500ms`. */
export function formatDurationMs(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}${parts.length === 0 && rest === 0 ? "s" : "ms"}`);
  return parts.join("");
}

/**
 * A duration as Argo and Flagger write it (a number of seconds, or Go's `1m30s`, `1.5h`) in the form
 * Sluice accepts: kept as written when Sluice reads it the same way, else normalised.
 */
export function duration(v: unknown, path: string, notes: Notes): number | string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === "string") {
    if (/^\d+$/.test(v)) return Number(v);
    if (SLUICE_DURATION.test(v)) return v;
    if (GO_DURATION.test(v)) {
      let ms = 0;
      for (const [, n, unit] of v.matchAll(/(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/g))
        ms += Number(n) * (UNIT_MS[unit as string] ?? 0);
      const rounded = Math.round(ms * 1e6) / 1e6;
      if (Number.isInteger(rounded)) return formatDurationMs(rounded);
    }
  }
  notes.warn(path, `cannot read ${JSON.stringify(v)} as a duration (use e.g. 30s, 5m, 1h); dropped`);
  return undefined;
}

/** A copy of `obj` with the `first` keys leading, in that order, so output reads like hand-written YAML. */
export function ordered(obj: Obj, first: readonly string[]): Obj {
  const out: Obj = {};
  for (const k of first) if (obj[k] !== undefined) out[k] = obj[k];
  for (const [k, v] of Object.entries(obj)) if (!(k in out)) out[k] = v;
  return out;
}

/** The usual order of a Rollout's spec. */
export const ROLLOUT_SPEC_ORDER = ["replicas", "selector", "template", "strategy"];

/** The usual order of a metric: what is measured when, how it is judged, then where from. */
export const METRIC_ORDER = [
  "name",
  "interval",
  "initialDelay",
  "count",
  "successCondition",
  "failureCondition",
  "failureLimit",
  "inconclusiveLimit",
  "consecutiveErrorLimit",
  "consecutiveSuccessLimit",
  "provider",
];
