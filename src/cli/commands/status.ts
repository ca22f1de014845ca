import { type ApiClient, ApiClientError } from "../../api/client.js";
import type { Rollout } from "../../model/index.js";
import { CliError } from "../cli-error.js";
import type { Output } from "../output.js";
import { ControllerLostError, watchWithReconnect } from "../resilient-watch.js";

export interface StatusOptions {
  watch?: boolean;
  /** `json`: one JSON object per line (each change with --watch), for scripts; default text. */
  output?: "text" | "json";
  /** Milliseconds to wait with --watch before giving up with exit code 2. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A client for the controller the state directory names now, to follow it across a restart. */
  reconnect?: () => ApiClient;
  /** How long --watch tries to reach a restarted controller before exit code 3 (default 30 s). */
  reconnectDeadlineMs?: number;
}

/** What `status -o json` prints for a rollout: its phase and where it stands, with the exit code it means. */
export function statusJson(r: Rollout, exitCode: number): string {
  const s = r.status;
  return JSON.stringify({
    name: r.metadata.name,
    phase: s?.phase ?? "Progressing",
    message: s?.message ?? "",
    currentRevision: s?.currentRevision ?? null,
    stableRevision: s?.stableRevision ?? null,
    currentStepIndex: s?.currentStepIndex ?? null,
    paused: (s?.pauseConditions ?? []).map((p) => p.reason),
    exitCode,
  });
}

/** Exit codes CI pipelines gate on. */
export const STATUS_EXIT = { healthy: 0, degraded: 1, timedOut: 2, controllerLost: 3, needsAction: 4 } as const;

/**
 * Paused on an analysis that could not decide (the judge's `onInsufficientEvidence: pause`, or an
 * Inconclusive verdict): nothing moves until a person promotes or aborts.
 */
export function needsAction(r: Rollout): boolean {
  return (
    r.status?.phase === "Paused" && (r.status.pauseConditions ?? []).some((p) => p.reason === "InconclusiveAnalysis")
  );
}

/**
 * `sluice status NAME`: prints the phase and message. With --watch it waits until the rollout is
 * Healthy (exit 0) or Degraded (exit 1), or the timeout passes (exit 2). Paused on an analysis that
 * could not decide exits 4 (with or without --watch): a person must promote or abort. A controller restart does
 * not end the watch: it reconnects, and exits 3 only if no controller answers within the deadline.
 */
export async function statusCommand(api: ApiClient, name: string, opts: StatusOptions, out: Output): Promise<number> {
  const settled = (r: Rollout) => {
    const s = r.status;
    // A status older than the spec describes the previous revision, not this one.
    const current = s !== undefined && s.observedGeneration >= (r.metadata.generation ?? 0);
    return current && (s.phase === "Healthy" || s.phase === "Degraded" || needsAction(r));
  };
  const exitOf = (r: Rollout) =>
    r.status?.phase === "Degraded"
      ? STATUS_EXIT.degraded
      : needsAction(r)
        ? STATUS_EXIT.needsAction
        : STATUS_EXIT.healthy;
  const report = (r: Rollout) => {
    if (opts.output === "json") {
      out.log(statusJson(r, exitOf(r)));
      return exitOf(r);
    }
    out.log(
      `${r.metadata.name}: ${r.status?.phase ?? "Progressing"}${r.status?.message ? ` — ${r.status.message}` : ""}`,
    );
    return exitOf(r);
  };

  const first = await api.get<Rollout>(`/rollouts/${name}`);
  if (!opts.watch || settled(first)) return report(first);

  let lastLine = "";
  let client = api;
  const controller = new AbortController();
  opts.signal?.addEventListener("abort", () => controller.abort());
  const timer = opts.timeoutMs ? setTimeout(() => controller.abort(), opts.timeoutMs) : undefined;
  try {
    const finalRollout = await new Promise<Rollout | undefined>((resolve, reject) => {
      const check = async () => {
        const r = await client.get<Rollout>(`/rollouts/${name}`);
        const line = `${r.status?.phase ?? "Progressing"}${r.status?.message ? ` — ${r.status.message}` : ""}`;
        if (line !== lastLine) {
          lastLine = line;
          out.log(opts.output === "json" ? statusJson(r, settled(r) ? exitOf(r) : -1) : `${name}: ${line}`);
        }
        if (settled(r)) resolve(r);
      };
      // A read that fails because the controller just went away is retried once the watch is back.
      const checkOrReject = () =>
        check().catch((err) => {
          if (!(err instanceof ApiClientError && err.code === "Unavailable")) reject(err);
        });
      controller.signal.addEventListener("abort", () => resolve(undefined));
      watchWithReconnect(
        (change) => {
          if (
            (change.type === "status" && change.kind === "Rollout" && change.name === name) ||
            change.type === "deleted"
          )
            checkOrReject();
        },
        {
          client: api,
          reconnect: opts.reconnect ?? (() => api),
          signal: controller.signal,
          notice: (line) => out.error(line),
          ...(opts.reconnectDeadlineMs !== undefined ? { reconnectDeadlineMs: opts.reconnectDeadlineMs } : {}),
          // The state may have settled before the (re)subscription: read it once it is in place.
          onOpen: (c) => {
            client = c;
            checkOrReject();
          },
        },
      ).catch(reject);
      // The state may have settled between the first read and the subscription.
      checkOrReject();
    });
    if (!finalRollout) {
      if (opts.signal?.aborted) throw new CliError("interrupted", STATUS_EXIT.timedOut);
      out.error(
        `timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)}s waiting for rollout "${name}" to become Healthy`,
      );
      return STATUS_EXIT.timedOut;
    }
    return exitOf(finalRollout);
  } catch (err) {
    if (err instanceof ControllerLostError)
      throw new CliError(
        `${err.message}; rollout "${name}" was last ${lastLine || "unknown"}`,
        STATUS_EXIT.controllerLost,
        { cause: err },
      );
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    controller.abort();
  }
}
