import { formatPath } from "../model/errors.js";
import type { CheckIssue } from "../model/load.js";
import type { Resource } from "../ports/control-plane.js";

/**
 * Values that are obviously not filled in yet: what `sluice import` writes where it cannot know the
 * value (`image: REPLACE-ME`), what tutorials write (`<your-image>`, `CHANGE-ME`, `TODO`), and the
 * example.com family of hosts (RFC 2606 reserves them: nothing real ever answers there). The
 * patterns are fixed and linear, and the values they read are bounded by the schema's limits.
 */
const PLACEHOLDERS: { pattern: RegExp; what: string }[] = [
  { pattern: /\b(?:REPLACE|CHANGE)[-_ ]?ME\b/i, what: "a REPLACE-ME placeholder" },
  { pattern: /<\s*(?:your|my)[-_ ][^<>]{0,60}>/i, what: "a <your-…> placeholder" },
  { pattern: /\b(?:TODO|FIXME|TBD)\b/, what: "a TODO" },
  {
    pattern: /(?:^|[^a-z0-9-])(?:[a-z0-9-]+\.)*example\.(?:com|org|net)(?![a-z0-9-])/i,
    what: "an example.com host (reserved: nothing real answers there)",
  },
];

/** Where a placeholder sits and what it looks like, for a lint warning. */
export type PlaceholderIssue = CheckIssue;

/**
 * A Release's source is a record of where the build came from (a commit, a CI link): Sluice never
 * calls it, and the shipped examples point it at example.com on purpose.
 */
const RECORD_ONLY: Record<string, string> = { Release: "spec.source" };

/** Nesting deeper than this is not walked (the schema's own limits stop manifests long before). */
const MAX_DEPTH = 64;

/**
 * Every string value of a resource that looks like a placeholder. A resource can pass the schema
 * with them (`REPLACE-ME` is a valid image name), so lint warns instead of failing. Comments are
 * not values, so a `# TODO` in YAML is not reported.
 */
export function placeholderIssues(resource: Resource): PlaceholderIssue[] {
  const issues: PlaceholderIssue[] = [];
  const skip = RECORD_ONLY[resource.kind];
  const walk = (value: unknown, path: (string | number)[]) => {
    if (path.length > MAX_DEPTH) return;
    if (skip !== undefined && formatPath(path) === skip) return;
    if (typeof value === "string") {
      const hit = PLACEHOLDERS.find((p) => p.pattern.test(value));
      if (hit)
        issues.push({
          path: formatPath(path),
          message: `${JSON.stringify(clip(value))} looks like ${hit.what}; put the real value before applying`,
        });
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...path, i]);
    } else if (value !== null && typeof value === "object")
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(resource.metadata, ["metadata"]);
  walk(resource.spec, ["spec"]);
  return issues;
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
