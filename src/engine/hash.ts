import { createHash } from "node:crypto";
import type { WorkloadTemplate } from "../model/index.js";

/**
 * JSON with object keys sorted at every level, so two templates that differ only in key order
 * hash the same. Undefined members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The revision hash of a workload template: the first 10 hex characters of the sha256 of its canonical JSON. */
export function revisionHash(template: WorkloadTemplate): string {
  return createHash("sha256").update(canonicalJson(template)).digest("hex").slice(0, 10);
}
