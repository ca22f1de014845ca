/** Feature flags served at /version. */
export type Features = Record<string, boolean>;

/** How one demo app instance behaves; read from the environment by {@link parseConfig}. */
export interface AppConfig {
  host: string;
  port: number;
  version: string;
  /** Fraction (0..1) of requests to `/` and `/api/data` that answer 500. */
  errorRate: number;
  latencyMs: number;
  latencyJitterMs: number;
  /** Exit with code 1 after this many seconds; 0 exits at start (a crash loop). Undefined = never. */
  crashAfterSeconds: number | undefined;
  features: Features;
  /** /ready answers 503 until this long after start. */
  readyDelayMs: number;
}

/** An environment variable the demo app cannot use, named with the value it got. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly variable: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${message}`, options);
  }
}

const V1: Features = {
  "legacy-ui": true,
  "new-api": false,
  "advanced-analytics": false,
  "experimental-features": false,
};
const V2: Features = {
  "legacy-ui": false,
  "new-api": true,
  "advanced-analytics": true,
  "real-time-updates": true,
  "experimental-features": false,
};
const V2_1: Features = { "experimental-features": true, "unstable-features": true, "beta-features": true };

/**
 * The flag set a version ships with when FEATURES is unset: 1.x the legacy set, 2.1 the
 * problematic experimental set, any other 2.x or later the new set.
 */
export function defaultFeatures(version: string): Features {
  const [major = 1, minor = 0] = version
    .replace(/^v/i, "")
    .split(".")
    .map((p) => Number.parseInt(p, 10) || 0);
  if (major === 2 && minor === 1) return { ...V2_1 };
  if (major >= 2) return { ...V2 };
  return { ...V1 };
}

type Env = Record<string, string | undefined>;

/** Reads the demo app's settings from `env`, throwing a {@link ConfigError} on the first bad value. */
export function parseConfig(env: Env): AppConfig {
  const version = nonEmpty(env.VERSION) ?? "1.0";
  const crash = nonEmpty(env.CRASH_AFTER_SECONDS);
  return {
    host: nonEmpty(env.HOST) ?? "127.0.0.1",
    port: integer(env, "PORT", 8080, 0, 65535),
    version,
    errorRate: number(env, "ERROR_RATE", 0, 0, 1),
    latencyMs: number(env, "LATENCY_MS", 0, 0, 600_000),
    latencyJitterMs: number(env, "LATENCY_JITTER_MS", 0, 0, 600_000),
    crashAfterSeconds: crash === undefined ? undefined : number(env, "CRASH_AFTER_SECONDS", 0, 0, 86_400 * 365),
    features: features(env.FEATURES, version),
    readyDelayMs: number(env, "READY_DELAY_MS", 0, 0, 3_600_000),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === "" ? undefined : v;
}

function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new ConfigError(name, `must be a number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = number(env, name, fallback, min, max);
  if (!Number.isInteger(value)) throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(env[name])}`);
  return value;
}

function features(raw: string | undefined, version: string): Features {
  const text = nonEmpty(raw);
  if (text === undefined) return defaultFeatures(version);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError("FEATURES", `must be a JSON object of flags, e.g. {"new-api":true}; ${String(err)}`, {
      cause: err,
    });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ConfigError("FEATURES", `must be a JSON object of flags, got ${text}`);
  const out: Features = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "boolean") throw new ConfigError("FEATURES", `flag "${key}" must be true or false`);
    out[key] = value;
  }
  return out;
}
