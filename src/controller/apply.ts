import { isDeepStrictEqual } from "node:util";
import { ManifestError, ValidationError } from "../model/errors.js";
import type { Release, Rollout } from "../model/index.js";
import { sameReleaseSpec, stampRelease } from "../model/release.js";
import { releaseOf, releaseOnBase } from "../pipeline/index.js";
import { specOf, validateForApply } from "../platform/apply-validation.js";
import type { ApplyResult, EventRecord, Resource } from "../ports/control-plane.js";
import type { LocalControllerStore } from "../ports/controller-store.js";

/**
 * Validates every document, checks references between them and what is stored, and stores them
 * all in one transaction, or throws a ValidationError and stores nothing. Each created or changed
 * resource gets an `Applied` event naming `actor`, in the same transaction; `onEvent` sees them
 * once it has committed.
 */
export function applyResources(
  store: LocalControllerStore,
  documents: unknown[],
  opts: { dryRun?: boolean; source?: string; actor?: string; onEvent?: (event: EventRecord) => void } = {},
  admit: (rollout: Rollout) => { path: string; message: string }[] = () => [],
): ApplyResult[] {
  const parsed = validateForApply(documents, opts.source ?? "request", {
    exists: (kind, name) => store.getResource(kind, name) !== undefined,
    admit,
  });

  const source = opts.source ?? "request";
  const events: EventRecord[] = [];
  const results = store.transaction(() =>
    parsed.map((input) => {
      const existing = store.getResource(input.kind, input.metadata.name);
      const resource =
        input.kind === "Release"
          ? releaseToStore(input, existing as Release | undefined, opts)
          : input.kind === "Rollout"
            ? keepRelease(input as Rollout, existing as Rollout | undefined, store)
            : input;
      const outcome: ApplyResult["outcome"] = !existing
        ? "created"
        : isDeepStrictEqual(specOf(existing), specOf(resource))
          ? "unchanged"
          : "configured";
      // Applying a manifest never writes status, not even on create: it belongs to the controller,
      // and a crafted one (a Healthy rollout, a finished analysis run) must not be believed.
      if (!opts.dryRun && outcome !== "unchanged") {
        const status = (existing as { status?: unknown } | undefined)?.status;
        const { status: _ignored, ...written } = resource as Resource & { status?: unknown };
        const stored = store.putResource({ ...written, ...(status ? { status } : {}) } as Resource);
        const message = `sluice apply: ${outcome} from ${source}, generation ${stored.metadata.generation ?? 1}`;
        events.push(
          ...store.appendEvents(resource.kind, resource.metadata.name, [
            { type: "Normal", reason: "Applied", message, ...(opts.actor ? { actor: opts.actor } : {}) },
          ]),
        );
      }
      return { kind: resource.kind, name: resource.metadata.name, outcome };
    }),
  );
  for (const event of events) opts.onEvent?.(event);
  return results;
}

/**
 * A release as it is stored: stamped with its creator and creation time the first time, and never
 * changed after (the same spec again is "unchanged", another spec is refused).
 */
function releaseToStore(release: Release, existing: Release | undefined, opts: { actor?: string; source?: string }) {
  if (!existing) return stampRelease(release, { actor: opts.actor ?? "unknown", now: new Date() });
  if (!sameReleaseSpec(existing.spec, release.spec))
    throw new ValidationError([
      new ManifestError({
        file: opts.source ?? "request",
        path: "spec",
        message: `release "${release.metadata.name}" already exists and releases never change; create a new release with another name`,
      }),
    ]);
  return existing;
}

/**
 * A stage rollout a pipeline has changed keeps its release when its manifest is applied again: the
 * applied template becomes the base and the release is put back on it. Otherwise editing, say, the
 * replicas of a production rollout would roll the code in it back to what the manifest names.
 */
function keepRelease(rollout: Rollout, existing: Rollout | undefined, store: LocalControllerStore): Rollout {
  const running = existing && releaseOf(existing.spec);
  if (running === undefined || releaseOf(rollout.spec) !== undefined) return rollout;
  const release = store.getResource("Release", running) as Release | undefined;
  return (release && releaseOnBase(rollout, release).rollout) ?? rollout;
}
