import type { Rollout, RolloutStatus, WorkloadTemplate } from "../model/index.js";
import { EngineError } from "./errors.js";
import { revisionHash } from "./hash.js";
import type { RolloutCommand } from "./types.js";

/**
 * Applies a user command to a rollout, the way Argo's kubectl plugin patches spec and status,
 * and returns the changed copy; reconcile then acts on it, so a command survives a controller
 * restart. Commands that mean nothing in the current state (abort or promote with no rollout in
 * progress, retry when not aborted) return the rollout unchanged.
 *
 * `abort` only sets status.abort and `retry` only clears it: reconcile sees the half-done marker
 * (abort without abortedAt, abortedAt without abort) and does the rest, with its event.
 *
 * @param templates the stored templates by revision hash, needed by `undo`.
 * @throws EngineError when undo names an unknown revision, or a process command meets a pod template.
 */
export function applyCommand(
  rollout: Rollout,
  command: RolloutCommand,
  now: Date,
  templates: Record<string, WorkloadTemplate> = {},
): Rollout {
  const next = structuredClone(rollout);
  const spec = next.spec;
  const status = next.status;
  const nowIso = now.toISOString();
  const inProgress = status?.revisions.some((r) => r.role === "canary" || r.role === "preview") ?? false;

  switch (command.type) {
    case "pause":
      spec.paused = true;
      return next;
    case "resume":
      spec.paused = false;
      return next;
    case "restart":
      spec.restartAt = nowIso;
      return next;
    case "promote":
      spec.paused = false;
      if (status) promote(next, status, inProgress, nowIso);
      return next;
    case "promoteFull":
      spec.paused = false;
      if (status && inProgress) {
        status.promoteFull = true;
        status.pauseConditions = [];
      }
      return next;
    case "abort":
      if (status && inProgress && !status.abort) status.abort = true;
      return next;
    case "retry":
      if (status?.abort) status.abort = false;
      return next;
    case "undo":
      spec.template = undoTemplate(next, command.toRevision, templates);
      return next;
    case "setEnv": {
      const pod = next.spec.template.spec;
      if (pod) {
        // As `kubectl set env` does without -c: every container of the pod template.
        for (const container of pod.containers as { env?: unknown }[]) {
          const current = Array.isArray(container.env) ? (container.env as { name: string; value?: string }[]) : [];
          container.env = changedEnv(current, command.env);
        }
        return next;
      }
      const process = processOf(next, "setEnv");
      process.env = changedEnv(process.env, command.env);
      return next;
    }
    case "setImage":
      setImages(next, command.images);
      return next;
    case "setArgs":
      processOf(next, "setArgs").args = [...command.args];
      return next;
    case "setCommand": {
      const process = processOf(next, "setCommand");
      process.command = command.command;
      if (command.args) process.args = [...command.args];
      return next;
    }
    case "openGate":
      openGate(next, command, nowIso);
      return next;
  }
}

/**
 * Opens the waiting gate `command.gate` names, or the only one waiting. Only gates that wait for a
 * person (a `gate` step, a manual hook) and hook gates still waiting can be opened this way.
 *
 * @throws EngineError when no gate waits, the name matches none, or several wait and none is named.
 */
function openGate(rollout: Rollout, command: Extract<RolloutCommand, { type: "openGate" }>, nowIso: string): void {
  const name = rollout.metadata.name;
  const current = rollout.status?.revisions.find((r) => r.role === "canary" || r.role === "preview")?.hash;
  const waiting = (rollout.status?.gates ?? []).filter(
    (g) => g.revision === current && g.openedAt === undefined && g.type !== "rollout" && g.type !== "rollback",
  );
  if (waiting.length === 0) throw new EngineError(`rollout "${name}" has no gate waiting to be opened`);
  const chosen = command.gate === undefined ? waiting : waiting.filter((g) => g.name === command.gate);
  if (chosen.length === 0)
    throw new EngineError(
      `rollout "${name}" has no gate "${command.gate}" waiting; waiting: ${waiting.map((g) => g.name).join(", ")}`,
    );
  const names = [...new Set(chosen.map((g) => g.name))];
  if (names.length > 1)
    throw new EngineError(`rollout "${name}" has several gates waiting (${names.join(", ")}); name one with --gate`);
  for (const gate of chosen) {
    gate.openedAt = nowIso;
    gate.openedBy = command.by.slice(0, 400);
    gate.reason = (command.reason ?? "opened by hand").slice(0, 1000);
    delete gate.pendingAttempt;
    delete gate.nextTryAt;
  }
}

/**
 * `promote` clears the pauses; on a canary it also skips the current step when that is what
 * holds the rollout (a pause step, an inconclusive analysis step, or any step when nothing is
 * paused). On blue-green, promoting past an inconclusive analysis accepts it (promoteFull).
 */
function promote(rollout: Rollout, status: RolloutStatus, inProgress: boolean, nowIso: string): void {
  const controllerPauses = status.pauseConditions.filter((p) => p.reason !== "UserPause");
  const userPaused = status.pauseConditions.length > controllerPauses.length;
  status.pauseConditions = [];
  if (!inProgress) return;
  const inconclusive = controllerPauses.some((p) => p.reason === "InconclusiveAnalysis");
  const canary = rollout.spec.strategy.canary;
  if (!canary) {
    if (inconclusive) status.promoteFull = true;
    return;
  }
  const index = status.currentStepIndex ?? 0;
  const step = canary.steps[index];
  if (!step) return;
  const skip =
    controllerPauses.length === 0
      ? !userPaused
      : controllerPauses.some((p) => p.reason === "CanaryPauseStep") || (inconclusive && "analysis" in step);
  if (!skip) return;
  status.currentStepIndex = index + 1;
  status.stepStartedAt = nowIso;
  status.lastProgressAt = nowIso;
}

function undoTemplate(
  rollout: Rollout,
  toRevision: number | undefined,
  templates: Record<string, WorkloadTemplate>,
): WorkloadTemplate {
  const history = [...(rollout.status?.history ?? [])].sort((a, b) => b.number - a.number);
  const current = revisionHash(rollout.spec.template);
  // Plain `undo` goes back to the newest revision that was stable, not to an aborted release.
  const target =
    toRevision === undefined
      ? (history.find((h) => h.hash !== current && h.stable) ?? history.find((h) => h.hash !== current))
      : history.find((h) => h.number === toRevision);
  if (!target) {
    const known =
      history
        .map((h) => h.number)
        .reverse()
        .join(", ") || "none";
    throw new EngineError(
      toRevision === undefined
        ? `rollout "${rollout.metadata.name}" has no previous revision to undo to`
        : `rollout "${rollout.metadata.name}" has no revision ${toRevision} (known revisions: ${known})`,
    );
  }
  const template = templates[target.hash];
  if (!template)
    throw new EngineError(
      `the template of revision ${target.number} (${target.hash}) of rollout "${rollout.metadata.name}" is no longer stored`,
    );
  return structuredClone(template);
}

/** The env list with `changes` applied: a value replaces or adds, `null` removes. Order kept. */
function changedEnv<E extends { name: string }>(
  env: readonly E[],
  changes: Record<string, string | null>,
): (E | { name: string; value: string })[] {
  const out: (E | { name: string; value: string })[] = [...env];
  for (const [name, value] of Object.entries(changes)) {
    const at = out.findIndex((e) => e.name === name);
    if (value === null) {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = { name, value };
    else out.push({ name, value });
  }
  return out;
}

/**
 * Sets each named container's image, in `containers` or `initContainers`, as `kubectl set image`
 * does. Every name must exist: a typo would otherwise roll out a revision that changes nothing.
 */
function setImages(rollout: Rollout, images: Record<string, string>): void {
  const pod = rollout.spec.template.spec;
  if (!pod)
    throw new EngineError(
      `set image changes a pod template's containers, but rollout "${rollout.metadata.name}" runs a process (template.process); use set command or set env`,
    );
  const init = Array.isArray(pod.initContainers) ? (pod.initContainers as { name?: unknown; image?: unknown }[]) : [];
  const all = [...pod.containers, ...init];
  for (const [name, image] of Object.entries(images)) {
    const container = all.find((c) => c.name === name);
    if (!container)
      throw new EngineError(
        `rollout "${rollout.metadata.name}" has no container "${name}"; its containers: ${all.map((c) => String(c.name)).join(", ")}`,
      );
    container.image = image;
  }
}

function processOf(rollout: Rollout, command: string) {
  const process = rollout.spec.template.process;
  if (!process)
    throw new EngineError(
      `${command} changes template.process, but rollout "${rollout.metadata.name}" has a Kubernetes pod template (template.spec); edit the manifest instead`,
    );
  return process;
}
