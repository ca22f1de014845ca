import { z } from "zod";

/*
 * Every bound a manifest is held to, in one place so docs/resources.md ("Limits") and the schemas
 * cannot drift apart. Each one keeps a value a user can write inside what the controller, the
 * router and the platforms can actually do: a number past these would exhaust memory, overflow a
 * Date or a timer, or hang a loop, long after lint said the manifest was fine.
 */

/** Replicas of one revision. The controller keeps per-replica state; Kubernetes namespaces rarely hold more pods. */
export const MAX_REPLICAS = 10_000;
/** Longest duration (pause, interval, deadline, delay): one year keeps `now + duration` a valid Date and timer. */
export const MAX_DURATION_SECONDS = 365 * 24 * 3600;
export const MAX_DURATION_MS = MAX_DURATION_SECONDS * 1000;
/** Network and process timeouts: past an hour a measurement is stuck, not slow. */
export const MAX_TIMEOUT_SECONDS = 3600;
/** Shortest probe period: anything faster is a busy loop against the replica. */
export const MIN_PROBE_PERIOD_SECONDS = 0.1;
/** Measurements, failure/inconclusive/error/success limits and retained measurements per metric. */
export const MAX_COUNT = 100_000;
export const MAX_RETAINED_MEASUREMENTS = 1000;
/** Revisions kept for undo and for a fast rollback. */
export const MAX_REVISION_HISTORY = 1000;
/** Requests a builtin metric may wait for before it judges. */
export const MAX_MIN_REQUESTS = 1_000_000_000;
/** Judge tolerances: a relative increase above 100x is no longer a tolerance. */
export const MAX_RELATIVE_INCREASE = 100;
/** Looks a judged metric keeps in its status; older ones are thinned out (the judge accepts a thinned list). */
export const MAX_JUDGE_LOOKS = 200;
/** Histogram buckets per revision in one look (Prometheus' default has 11, the router's 17). */
export const MAX_JUDGE_BUCKETS = 64;
/** Probe thresholds. */
export const MAX_PROBE_THRESHOLD = 1000;

/** Names (metrics, routes, arguments, services, env vars): a Kubernetes DNS subdomain is at most 253. */
export const MAX_NAME_LENGTH = 253;
/** Label and annotation keys: a 253-character prefix, "/", and a 63-character name. */
export const MAX_LABEL_KEY_LENGTH = 317;
/** Label values, as Kubernetes allows. */
export const MAX_LABEL_VALUE_LENGTH = 63;
/** Annotation values: Kubernetes allows 256 KiB of annotations in all. */
export const MAX_ANNOTATION_LENGTH = 256 * 1024;
/** Free text (queries, URLs, bodies, conditions, argv entries, env values, annotation values). */
export const MAX_TEXT_LENGTH = 65_536;

/** List lengths. */
export const MAX_STEPS = 500;
export const MAX_METRICS = 100;
export const MAX_ARGS = 100;
export const MAX_TEMPLATES = 50;
export const MAX_ENV = 500;
export const MAX_ARGV = 1000;
export const MAX_HEADERS = 100;
export const MAX_MATCHES = 50;
export const MAX_ROUTES = 100;
export const MAX_LIST = 1000;
/** Event reasons one notification listens to. */
export const MAX_REASONS = 100;

/** Input documents: size and nesting are checked before YAML or JSON is parsed. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
export const MAX_NESTING_DEPTH = 64;
/** YAML aliases per document: more means a "billion laughs" expansion, not a manifest. */
export const MAX_ALIAS_COUNT = 100;

/** A name: non-empty, at most {@link MAX_NAME_LENGTH} characters. */
export const Name = () => z.string().min(1).max(MAX_NAME_LENGTH);

/** Free text, at most {@link MAX_TEXT_LENGTH} characters. */
export const Text = () => z.string().max(MAX_TEXT_LENGTH);

/** Whole seconds of waiting (delays, deadlines), at most a year. */
export const DelaySeconds = () => z.number().int().nonnegative().max(MAX_DURATION_SECONDS);

/** A timeout in seconds: positive, at most an hour. */
export const TimeoutSeconds = () => z.number().positive().max(MAX_TIMEOUT_SECONDS);

/** A replica count. */
export const Replicas = () => z.number().int().nonnegative().max(MAX_REPLICAS);

/** A count of measurements or a limit on one. */
export const Count = () => z.number().int().nonnegative().max(MAX_COUNT);

/** Kubernetes-style labels or annotations, with bounded keys and values. */
export const StringMap = (maxValue: number) =>
  z.record(z.string().min(1).max(MAX_LABEL_KEY_LENGTH), z.string().max(maxValue));

/** A point in time as RFC 3339 text (`2025-01-31T12:00:00Z`) that a Date can hold. */
export const Timestamp = () =>
  z
    .string()
    .max(64)
    .refine((s) => Number.isFinite(Date.parse(s)), "must be a timestamp such as 2025-01-31T12:00:00Z");
