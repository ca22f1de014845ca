import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { API_VERSION, ObjectMeta } from "./meta.js";

/** The annotation the server sets on a Release to record who created it. */
export const CREATED_BY_ANNOTATION = "sluice.dev/created-by";

/** The environment variable that carries a release's features, as compact JSON with sorted keys. */
export const FEATURES_ENV = "SLUICE_FEATURES";

/** Limits on `spec.features`, so a hostile document cannot exhaust the stack or memory. */
export const FEATURE_LIMITS = { depth: 8, nodes: 2000, jsonBytes: 16_384 } as const;

/**
 * Why `value` is not a bounded JSON value, or undefined when it is. Walks iteratively so a deeply
 * nested document cannot overflow the stack before the depth limit rejects it.
 */
export function featuresProblem(value: unknown): string | undefined {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop() as { v: unknown; depth: number };
    nodes += 1;
    if (nodes > FEATURE_LIMITS.nodes) return `more than ${FEATURE_LIMITS.nodes} values`;
    if (depth > FEATURE_LIMITS.depth) return `nested deeper than ${FEATURE_LIMITS.depth} levels`;
    if (v === null || typeof v === "boolean" || typeof v === "string") continue;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return "numbers must be finite";
      continue;
    }
    if (Array.isArray(v)) {
      for (const item of v) stack.push({ v: item, depth: depth + 1 });
      continue;
    }
    if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
      for (const item of Object.values(v)) stack.push({ v: item, depth: depth + 1 });
      continue;
    }
    return "only JSON values are allowed (objects, arrays, strings, numbers, booleans, null)";
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > FEATURE_LIMITS.jsonBytes) return `${bytes} bytes as JSON; at most ${FEATURE_LIMITS.jsonBytes}`;
  return undefined;
}

/** Per-version configuration such as feature flags: a JSON object of bounded size. */
export const Features = z.record(z.string().min(1).max(128), z.unknown()).check((ctx) => {
  const problem = featuresProblem(ctx.value);
  if (problem !== undefined) ctx.issues.push({ code: "custom", input: ctx.value, message: problem });
});
export type Features = z.infer<typeof Features>;

/** An environment variable a release sets; it replaces a variable of the same name in the template. */
export const ReleaseEnvVar = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, "use letters, digits, '_', '.' and '-', not starting with a digit"),
  value: z.string().max(32_768),
});
export type ReleaseEnvVar = z.infer<typeof ReleaseEnvVar>;

export const ReleaseSpec = z
  .strictObject({
    /** The Pipeline this release goes through. */
    pipeline: z.string().min(1).max(63),
    /** Kubernetes: the container image. */
    image: z.string().min(1).max(512).optional(),
    /** Kubernetes: which container `image`, `command`, `args` and `env` change; default the first. */
    container: z.string().min(1).max(63).optional(),
    /** Local platform: the program to run (Kubernetes: the container's command). */
    command: z.string().min(1).max(4096).optional(),
    args: z.array(z.string().max(4096)).max(100).optional(),
    env: z.array(ReleaseEnvVar).max(100).default([]),
    /** Given to the process as compact JSON with sorted keys, in the variable `featuresEnv`. */
    features: Features.optional(),
    /** The variable that carries `features`, for an app that reads its own name; default {@link FEATURES_ENV}. */
    featuresEnv: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, "use letters, digits, '_', '.' and '-', not starting with a digit")
      .default(FEATURES_ENV),
    source: z
      .strictObject({
        commit: z.string().min(1).max(128).optional(),
        buildUrl: z
          .url({ protocol: /^https?$/ })
          .max(2048)
          .optional(),
      })
      .optional(),
  })
  .check((ctx) => {
    const s = ctx.value;
    const changes = [s.image, s.command, s.args, s.features].some((v) => v !== undefined) || s.env.length > 0;
    if (!changes)
      ctx.issues.push({
        code: "custom",
        input: s,
        message: "a release changes something: set image, command, args, env or features",
      });
    if (s.features !== undefined && s.env.some((e) => e.name === s.featuresEnv))
      ctx.issues.push({
        code: "custom",
        input: s,
        path: ["env"],
        message: `env "${s.featuresEnv}" would be replaced by features; set featuresEnv to another name`,
      });
    const names = new Set<string>();
    for (const e of s.env) {
      if (names.has(e.name))
        ctx.issues.push({ code: "custom", input: s, path: ["env"], message: `env "${e.name}" is set twice` });
      names.add(e.name);
    }
  });
export type ReleaseSpec = z.infer<typeof ReleaseSpec>;

/**
 * One immutable version of what a pipeline ships. The server sets `metadata.creationTimestamp` and
 * the {@link CREATED_BY_ANNOTATION} annotation when it stores the release (see {@link stampRelease}),
 * and refuses a later change to its spec (see {@link sameReleaseSpec}).
 */
export const Release = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal("Release"),
  metadata: ObjectMeta,
  spec: ReleaseSpec,
});
export type Release = z.infer<typeof Release>;

/**
 * The release as the server stores it: creation time and creator set from the server's clock and the
 * authenticated identity, replacing anything the user wrote there.
 */
export function stampRelease(release: Release, by: { actor: string; now: Date }): Release {
  return {
    ...release,
    metadata: {
      ...release.metadata,
      creationTimestamp: by.now.toISOString(),
      annotations: { ...release.metadata.annotations, [CREATED_BY_ANNOTATION]: by.actor },
    },
  };
}

/** Who created the release, as the server recorded it. */
export function releaseCreatedBy(release: Release): string | undefined {
  return release.metadata.annotations?.[CREATED_BY_ANNOTATION];
}

/**
 * Orders releases oldest first: by creation time, then name, so the order is total. The pipeline
 * planner calls the newest release that passed a stage its candidate, so everything that lists
 * releases uses this one order.
 */
export function byCreation(a: Release, b: Release): number {
  const ta = a.metadata.creationTimestamp ?? "";
  const tb = b.metadata.creationTimestamp ?? "";
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** True when two specs are the same change: applying the same release again is allowed, changing it is not. */
export function sameReleaseSpec(a: ReleaseSpec, b: ReleaseSpec): boolean {
  return isDeepStrictEqual(a, b);
}
