import { canonicalJson } from "../engine/hash.js";
import { type Release, type Rollout, type RolloutSpec, WorkloadTemplate } from "../model/index.js";

/** The template annotation naming the release a stage's rollout runs: how the controller observes it. */
export const RELEASE_ANNOTATION = "sluice.dev/release";

/** The outcome of {@link applyRelease}: the new spec, or why the release does not fit the rollout. */
export type AppliedRelease = { spec: RolloutSpec; error?: undefined } | { spec?: undefined; error: string };

interface NamedValue {
  name: string;
  value?: string;
  [key: string]: unknown;
}

/** `base` with each of `set` replacing the variable of the same name, or appended; order is kept. */
function mergeEnv<T extends NamedValue>(base: readonly T[], set: readonly { name: string; value: string }[]): T[] {
  const out = base.map((e) => ({ ...e }));
  for (const v of set) {
    const at = out.findIndex((e) => e.name === v.name);
    if (at >= 0) out[at] = { name: v.name, value: v.value } as T;
    else out.push({ name: v.name, value: v.value } as T);
  }
  return out;
}

function releaseEnv(release: Release): { name: string; value: string }[] {
  const env = release.spec.env.map((e) => ({ name: e.name, value: e.value }));
  const { features, featuresEnv } = release.spec;
  if (features !== undefined) env.push({ name: featuresEnv, value: canonicalJson(features) });
  return env;
}

/**
 * The rollout spec with the release applied to its template: the image (Kubernetes) or command and
 * args (local process) replaced, the release's env merged over the template's (a release variable
 * replaces one of the same name), features as JSON in the release's featuresEnv (SLUICE_FEATURES by
 * default), and the template annotated with the release name. Pure: `spec` is not changed. Applying the same release twice gives the same
 * template, so the revision hash (and a fast rollback to it) stays the same.
 */
export function applyRelease(spec: RolloutSpec, release: Release): AppliedRelease {
  const next = structuredClone(spec);
  const template = next.template;
  const r = release.spec;
  const name = release.metadata.name;
  if (template.process) {
    if (r.image !== undefined)
      return { error: `release "${name}" sets image, but the rollout runs a local process; set command instead` };
    if (r.container !== undefined)
      return { error: `release "${name}" names container "${r.container}", but the rollout runs a local process` };
    if (r.command !== undefined) {
      template.process.command = r.command;
      template.process.args = r.args ?? [];
    } else if (r.args !== undefined) template.process.args = r.args;
    template.process.env = mergeEnv(template.process.env, releaseEnv(release));
  } else if (template.spec) {
    const containers = template.spec.containers as (Record<string, unknown> & { name: string; image: string })[];
    const container = r.container === undefined ? containers[0] : containers.find((c) => c.name === r.container);
    if (!container) return { error: `release "${name}": the rollout's pod template has no container "${r.container}"` };
    if (r.image !== undefined) container.image = r.image;
    if (r.command !== undefined) {
      container.command = [r.command];
      container.args = r.args ?? [];
    } else if (r.args !== undefined) container.args = r.args;
    const env = Array.isArray(container.env) ? (container.env as NamedValue[]) : [];
    const merged = mergeEnv(env, releaseEnv(release));
    if (merged.length > 0) container.env = merged;
  }
  template.metadata = {
    ...template.metadata,
    annotations: { ...template.metadata?.annotations, [RELEASE_ANNOTATION]: name },
  };
  return { spec: next };
}

/** The release a rollout template is annotated with, if the pipeline has applied one. */
export function releaseOf(spec: RolloutSpec): string | undefined {
  return spec.template.metadata?.annotations?.[RELEASE_ANNOTATION];
}

/**
 * The rollout annotation holding its template as the user wrote it, before any release changed it.
 * Every release is applied to this base, so a release never inherits what an earlier one set (a
 * variable, a feature flag, a command), and going back to a release gives back its exact template:
 * the same revision hash, so the rollout's fast rollback applies.
 */
export const BASE_TEMPLATE_ANNOTATION = "sluice.dev/base-template";

/**
 * The rollout with `release` applied to its base template, and the base remembered. A rollout that
 * has no base yet (the pipeline never changed it, or the user applied a new manifest, which replaces
 * the annotations too) takes its current template, less the release annotation, as the base.
 */
export function releaseOnBase(
  rollout: Rollout,
  release: Release,
): { rollout: Rollout; error?: undefined } | { rollout?: undefined; error: string } {
  const stored = rollout.metadata.annotations?.[BASE_TEMPLATE_ANNOTATION];
  let base: WorkloadTemplate | undefined;
  if (stored !== undefined) {
    const parsed = WorkloadTemplate.safeParse(safeJson(stored));
    if (parsed.success) base = parsed.data;
  }
  base ??= withoutReleaseAnnotation(rollout.spec.template);
  const applied = applyRelease({ ...rollout.spec, template: base }, release);
  if (applied.error !== undefined) return { error: applied.error };
  return {
    rollout: {
      ...rollout,
      metadata: {
        ...rollout.metadata,
        annotations: { ...rollout.metadata.annotations, [BASE_TEMPLATE_ANNOTATION]: canonicalJson(base) },
      },
      spec: applied.spec,
    },
  };
}

function withoutReleaseAnnotation(template: WorkloadTemplate): WorkloadTemplate {
  const annotations = { ...template.metadata?.annotations };
  delete annotations[RELEASE_ANNOTATION];
  const metadata = { ...template.metadata, annotations };
  if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
  const out = { ...template, metadata };
  if (Object.keys(metadata).length === 0) delete (out as { metadata?: unknown }).metadata;
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
