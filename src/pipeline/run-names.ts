import { createHash } from "node:crypto";

/** Longest name a Kubernetes object (and so an AnalysisRun) may have. */
const MAX_NAME = 63;

/**
 * The analysis run name for one gate of one attempt: readable when it fits in 63 characters
 * (`shop-prod-v2-0-verify-staging-1`), otherwise cut and ended with a hash of the full name, so
 * distinct gates never share a run. The same parts always give the same name, which is what lets
 * the controller create it only if it does not exist.
 */
export function gateRunName(parts: {
  pipeline: string;
  stage: string;
  release: string;
  kind: "verify" | "check";
  /** The upstream stage for a verification, the check's name for a check. */
  subject: string;
  attempt: number;
}): string {
  const full = [parts.pipeline, parts.stage, parts.release, parts.kind, parts.subject, String(parts.attempt)].join("-");
  if (full.length <= MAX_NAME) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 10);
  const head = full.slice(0, MAX_NAME - hash.length - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}
