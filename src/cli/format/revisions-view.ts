import type { RevisionView } from "../../api/revision-routes.js";

/**
 * `describe rollout`'s revisions section: each revision's role, weight and what it runs, and under
 * each one that is not stable, what changed against stable.
 *
 * @example
 * Revision templates:
 *   #2 canary 20%  bbb1234567  app: image shop:2; env TOKEN
 *        app: image shop:1 → shop:2
 *   #1 stable 80%  aaa1234567  app: image shop:1; env TOKEN
 */
export function renderRevisions(items: readonly RevisionView[]): string {
  if (items.length === 0) return "";
  const lines = ["Revision templates:"];
  const ordered = [...items].sort((a, b) => b.number - a.number || a.role.localeCompare(b.role));
  for (const r of ordered) {
    lines.push(
      `  #${r.number} ${r.role} ${r.weight}%  ${r.hash.slice(0, 10)}  ${r.summary ?? "(template no longer kept)"}`,
    );
    if (r.changes && r.changes.length === 0) lines.push("       same template as stable");
    for (const change of r.changes ?? []) lines.push(`       ${change}`);
  }
  return lines.join("\n");
}
