import type { GateStatus } from "../../model/index.js";

/** One line per gate for `describe`: waiting since, tries, last answer, next try, or who opened it. */
export function gateLines(gates: readonly GateStatus[] | undefined): string[] {
  return (gates ?? []).map((g) => {
    const kind = g.type === "gate" ? "gate step" : `${g.type} hook`;
    if (g.openedAt !== undefined)
      return `${g.name} (${kind}): opened ${g.openedAt} by ${g.openedBy ?? "?"}${g.reason ? `: ${g.reason}` : ""}`;
    const parts = [`waiting since ${g.waitingSince}`];
    if (g.attempts > 0) parts.push(`${g.attempts} tries, ${g.failures} failed`);
    if (g.lastAnswer) parts.push(`last answer: ${g.lastAnswer}`);
    if (g.nextTryAt) parts.push(`next try ${g.nextTryAt}`);
    return `${g.name} (${kind}): ${parts.join("; ")}`;
  });
}
