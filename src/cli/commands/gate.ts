import type { ApiClient } from "../../api/client.js";
import type { Rollout } from "../../model/index.js";

export { gateLines } from "../format/gate-lines.js";

import type { Output } from "../output.js";

/**
 * `sluice gate open ROLLOUT [--gate NAME] [--reason TEXT]`: opens a gate that waits for a person.
 * The controller records the caller (API token or Kubernetes user) and the reason in status.gates.
 */
export async function gateOpenCommand(
  api: ApiClient,
  name: string,
  opts: { gate?: string; reason?: string },
  out: Output,
): Promise<Rollout> {
  const body = { ...(opts.gate ? { gate: opts.gate } : {}), ...(opts.reason ? { reason: opts.reason } : {}) };
  const rollout = await api.post<Rollout>(`/rollouts/${encodeURIComponent(name)}/gates/open`, body);
  out.log(`rollout "${name}": ${openedLine(rollout, opts.gate)}`);
  return rollout;
}

/** What the command prints: the gate it opened and where the rollout now stands. */
export function openedLine(rollout: Rollout, gate: string | undefined): string {
  const opened = (rollout.status?.gates ?? [])
    .filter((g) => g.openedAt !== undefined && (gate === undefined || g.name === gate))
    .sort((a, b) => (a.openedAt ?? "").localeCompare(b.openedAt ?? ""))
    .at(-1);
  const phase = `${rollout.status?.phase ?? "Progressing"}${rollout.status?.message ? ` — ${rollout.status.message}` : ""}`;
  return opened ? `gate "${opened.name}" opened by ${opened.openedBy}; ${phase}` : `gate opened; ${phase}`;
}
