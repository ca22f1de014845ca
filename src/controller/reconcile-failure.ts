import { setCondition } from "../engine/conditions.js";
import type { RolloutEvent } from "../engine/types.js";
import { formatPath } from "../model/errors.js";
import { type Rollout, RolloutSpec, RolloutStatus } from "../model/index.js";
import { translateIssues } from "../model/issues.js";

/**
 * Condition types the controller (not the engine) owns. They describe why the engine could not run
 * for a rollout, so they are dropped before the engine sees the status and come back only while the
 * cause lasts.
 */
export const INVALID_SPEC = "InvalidSpec";
export const RECONCILE_ERROR = "ReconcileError";
const CONTROLLER_CONDITIONS = new Set([INVALID_SPEC, RECONCILE_ERROR]);

/** A problem with one field of a stored rollout. */
export interface SpecProblem {
  path: string;
  message: string;
}

/**
 * Checks a stored rollout against today's schema and the platform's limits. A rollout stored by an
 * older Sluice, or written straight into the store, may hold values the engine cannot survive
 * (a billion replicas, a duration past the end of time); those are reported, never reconciled.
 */
export function storedSpecProblems(
  rollout: Rollout,
  admit: (rollout: Rollout) => SpecProblem[] = () => [],
): SpecProblem[] {
  const parsed = RolloutSpec.safeParse(rollout.spec);
  if (!parsed.success)
    return translateIssues(parsed.error.issues, RolloutSpec, rollout.spec, ["spec"]).map((i) => ({
      path: formatPath(i.path),
      message: i.message,
    }));
  return admit(rollout);
}

/** The status with the controller's own conditions removed: what the engine should see. */
export function withoutControllerConditions(rollout: Rollout): Rollout {
  const status = rollout.status;
  if (!status?.conditions.some((c) => CONTROLLER_CONDITIONS.has(c.type))) return rollout;
  return { ...rollout, status: { ...status, conditions: status.conditions.filter((c) => !isControllerCondition(c)) } };
}

function isControllerCondition(c: { type: string }): boolean {
  return CONTROLLER_CONDITIONS.has(c.type);
}

/** A status and the events to record with it. `events` is empty when nothing new happened. */
export interface FailureStatus {
  status: RolloutStatus;
  events: RolloutEvent[];
}

/**
 * The status of a rollout the controller will not reconcile because its stored spec is invalid:
 * Degraded, with every problem named. Replicas and routes are left as they are, so traffic keeps
 * flowing to whatever served it; an event is recorded only when the problems change.
 */
export function invalidSpecStatus(rollout: Rollout, problems: SpecProblem[], now: Date): FailureStatus {
  const listed = problems
    .slice(0, 5)
    .map((p) => `${p.path}: ${p.message}`)
    .join("; ");
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : "";
  const message = `the stored spec is invalid, so Sluice leaves its replicas and traffic as they are: ${listed}${more}; fix the manifest and apply it again, or delete the rollout`;
  return failureStatus(rollout, INVALID_SPEC, "InvalidSpec", message, now);
}

/**
 * The status of a rollout whose reconcile threw (the engine hit a value it could not handle, or the
 * platform failed): Degraded with the error, so `sluice status` and `describe` show it instead of a
 * stale Healthy. The next successful reconcile replaces it.
 */
export function reconcileErrorStatus(rollout: Rollout, err: unknown, retryInMs: number, now: Date): FailureStatus {
  const cause = err instanceof Error ? err.message : String(err);
  const message = `reconcile failed: ${oneLine(cause)}; Sluice retries in ${Math.round(retryInMs / 1000)}s (see the controller log for details)`;
  return failureStatus(rollout, RECONCILE_ERROR, "ReconcileFailed", message, now);
}

function failureStatus(rollout: Rollout, type: string, reason: string, message: string, now: Date): FailureStatus {
  const previous = rollout.status ?? RolloutStatus.parse({});
  const existing = previous.conditions.find((c) => c.type === type);
  // The retry delay is part of the message; comparing without it keeps one event per distinct cause.
  const sameCause = existing !== undefined && stripRetry(existing.message) === stripRetry(message);
  const others = previous.conditions.filter((c) => !isControllerCondition(c) || c.type === type);
  const status: RolloutStatus = {
    ...previous,
    phase: "Degraded",
    message,
    // The controller has looked at this generation, so `sluice status --watch` settles on the report.
    observedGeneration: rollout.metadata.generation ?? previous.observedGeneration,
    conditions: setCondition(others, type, "True", reason, message, now.toISOString()),
  };
  return { status, events: sameCause ? [] : [{ type: "Warning", reason, message }] };
}

function stripRetry(message: string): string {
  return message.replace(/; Sluice retries in \d+s/, "");
}

function oneLine(s: string): string {
  const line = s.split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Backoff between retries of a failing reconcile: 1 s, doubling, at most a minute. */
export function retryDelayMs(failures: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.min(Math.max(0, failures - 1), 6));
}
