import type { z } from "zod";
import { AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate } from "./analysis.js";
import { crossChecks } from "./cross-checks.js";
import { type FieldIssue, friendlyMessages, suggestion, translateIssues, typeName } from "./issues.js";
import { API_VERSION } from "./meta.js";
import { Pipeline } from "./pipeline.js";
import { rawIssues } from "./raw-guards.js";
import { Release } from "./release.js";
import type { Resource, ResourceKind } from "./resource.js";
import { Rollout } from "./rollout.js";

/** The schema of each resource kind, with defaults. */
export const RESOURCE_SCHEMAS: Record<ResourceKind, z.ZodType<Resource>> = {
  Rollout,
  AnalysisTemplate,
  ClusterAnalysisTemplate,
  AnalysisRun,
  Pipeline,
  Release,
};

/** Every kind Sluice understands, in the order docs list them. */
export const RESOURCE_KINDS = Object.keys(RESOURCE_SCHEMAS) as ResourceKind[];

const FOREIGN_GROUPS: Record<string, string> = {
  "argoproj.io": "Argo Rollouts",
  "flagger.app": "Flagger",
};

/** The outcome of validating one document: the parsed resource (with defaults) or the problems found. */
export type Validated = { resource: Resource; issues: [] } | { resource: undefined; issues: FieldIssue[] };

function headerIssues(raw: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { apiVersion, kind } = raw;
  if (apiVersion === undefined) issues.push({ path: ["apiVersion"], message: "required field is missing" });
  else if (apiVersion !== API_VERSION) {
    const group = typeof apiVersion === "string" ? apiVersion.split("/")[0] : undefined;
    const foreign = group === undefined ? undefined : FOREIGN_GROUPS[group];
    const hint = foreign ? `; convert ${foreign} manifests with "sluice import"` : "";
    issues.push({
      path: ["apiVersion"],
      message: `unsupported apiVersion ${JSON.stringify(apiVersion)}, expected "${API_VERSION}"${hint}`,
    });
  }
  if (kind === undefined) issues.push({ path: ["kind"], message: "required field is missing" });
  else if (typeof kind !== "string" || !Object.hasOwn(RESOURCE_SCHEMAS, kind)) {
    const hint = typeof kind === "string" ? suggestion(kind, RESOURCE_KINDS) : "";
    issues.push({
      path: ["kind"],
      message: `unknown kind ${JSON.stringify(kind)}${hint}, expected one of ${RESOURCE_KINDS.join(", ")}`,
    });
  }
  return issues;
}

/**
 * Validates one decoded document as a Sluice resource: apiVersion and kind first (so a foreign
 * manifest gets one clear error rather than dozens), then the kind's schema, then cross-field rules.
 */
export function validateResource(raw: unknown): Validated {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return {
      resource: undefined,
      issues: [{ path: [], message: `expected a resource (a mapping with apiVersion and kind), got ${typeName(raw)}` }],
    };
  }
  // Before the schema: zod would silently drop a "__proto__" key, and recursion needs a depth bound.
  const raws = rawIssues(raw);
  if (raws.length > 0) return { resource: undefined, issues: raws };
  const record = raw as Record<string, unknown>;
  const header = headerIssues(record);
  if (header.length > 0) return { resource: undefined, issues: header };
  const schema = RESOURCE_SCHEMAS[record.kind as ResourceKind];
  const parsed = schema.safeParse(raw, { error: friendlyMessages });
  if (!parsed.success) return { resource: undefined, issues: translateIssues(parsed.error.issues, schema, raw) };
  const cross = crossChecks(parsed.data);
  if (cross.length > 0) return { resource: undefined, issues: cross };
  return { resource: parsed.data, issues: [] };
}
