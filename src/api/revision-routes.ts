import { Hono } from "hono";
import type { Rollout, WorkloadTemplate } from "../model/index.js";
import { templateChanges, templateSummary } from "../model/template-changes.js";
import type { ControlPlane } from "../ports/control-plane.js";
import { needs } from "./auth.js";
import { ApiError } from "./errors.js";

/** One revision of a rollout as `GET /rollouts/:name/revisions` shows it. */
export interface RevisionView {
  hash: string;
  number: number;
  role: string;
  weight: number;
  /** What the revision runs: images or command and env names, never env values. Absent when its template is gone. */
  summary?: string;
  /** What differs from the stable revision, one line per change; absent for stable itself. */
  changes?: string[];
}

/** The stable revision's template; a baseline runs the same one (its key is `<stable>-baseline`). */
function templateOf(templates: Record<string, WorkloadTemplate>, hash: string): WorkloadTemplate | undefined {
  return templates[hash] ?? templates[hash.replace(/-baseline$/, "")];
}

/**
 * `GET /rollouts/:name/revisions`: each revision in status with what it runs and what changed
 * against the stable one ("app: image shop:1 → shop:2", "env +CACHE_URL", "feature checkout: off →
 * on"), so `describe` and the dashboard can say what a canary is, not only its hash.
 */
export function revisionRoutes(control: ControlPlane): Hono {
  const api = new Hono();
  api.get("/rollouts/:name/revisions", needs("viewer"), async (c) => {
    const name = c.req.param("name");
    const rollout = (await control.get("Rollout", name)) as Rollout | undefined;
    if (!rollout) throw new ApiError("NotFound", `Rollout "${name}" not found`);
    const templates = await control.revisionTemplates(name);
    const stableHash = rollout.status?.stableRevision;
    const stable = stableHash ? templateOf(templates, stableHash) : undefined;
    const items: RevisionView[] = (rollout.status?.revisions ?? []).map((r) => {
      const template = templateOf(templates, r.hash);
      return {
        hash: r.hash,
        number: r.number,
        role: r.role,
        weight: r.weight,
        ...(template ? { summary: templateSummary(template) } : {}),
        ...(template && stable && r.hash !== stableHash ? { changes: templateChanges(stable, template) } : {}),
      };
    });
    return c.json({ ...(stableHash ? { stableRevision: stableHash } : {}), items });
  });
  return api;
}
