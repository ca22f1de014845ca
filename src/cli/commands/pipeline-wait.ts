import { type ApiClient, ApiClientError } from "../../api/client.js";
import type { Pipeline, Release } from "../../model/index.js";
import type { StageView } from "../../pipeline/types.js";
import type { ChangeNotice, RecordedEntry } from "../../ports/control-plane.js";
import { CliError } from "../cli-error.js";
import { pipelineStatus, waitingLine } from "../format/pipeline-view.js";
import type { Output } from "../output.js";
import { ControllerLostError, watchWithReconnect } from "../resilient-watch.js";
import { recordPath } from "./pipeline-history.js";

/** Exit codes CI gates on, as `sluice status` has them. */
export const WAIT_EXIT = { healthy: 0, rejected: 1, timedOut: 2, controllerLost: 3 } as const;

export interface WaitOptions {
  release: string;
  stage: string;
  /** Milliseconds before giving up with exit code 2. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A client for the controller the state directory names now, to follow it across a restart. */
  reconnect?: () => ApiClient;
  reconnectDeadlineMs?: number;
}

/** What the record says of the release in the stage: Healthy there, or failed/rejected; undefined while neither. */
export type WaitOutcome = { done: "healthy" | "rejected"; entry: RecordedEntry } | undefined;

/**
 * Reads the release's record entries (oldest first) for the wait's outcome. The last word counts:
 * a rejection, or a failure in the stage, ends the wait with 1 unless a person un-rejected the
 * release afterwards; otherwise a Healthy in the stage ends it with 0.
 */
export function waitOutcome(entries: readonly RecordedEntry[], stage: string): WaitOutcome {
  let healthy: RecordedEntry | undefined;
  let failure: RecordedEntry | undefined;
  for (const e of entries) {
    if (e.type === "Healthy" && e.stage === stage) healthy = e;
    else if (e.type === "Rejected" || (e.type === "Failed" && e.stage === stage)) failure ??= e;
    else if (e.type === "Unrejected") failure = undefined;
  }
  if (failure) return { done: "rejected", entry: failure };
  return healthy ? { done: "healthy", entry: healthy } : undefined;
}

/**
 * What the release waits on before it is Healthy in the stage, in words: `waiting for approval in
 * prod (expires in 23h59m)`. `key` is the same without the countdown, so a caller prints a line
 * only when the wait itself changes.
 */
export function waitingOn(
  pipeline: Pipeline,
  stage: string,
  release: string,
  now: Date,
): { text: string; key: string } {
  const text = describeWait(pipeline, stage, release, now);
  return { text, key: text.replace(/ \((expires|done|opens) in [^)]*\)/g, "") };
}

function describeWait(pipeline: Pipeline, stage: string, release: string, now: Date): string {
  const status = pipelineStatus(pipeline);
  if (!status) return `waiting for the controller to plan pipeline ${pipeline.metadata.name}`;
  const views = new Map(status.stages.map((s) => [s.stage, s]));
  const about = (v: StageView | undefined) => v !== undefined && (v.candidate === release || v.desired === release);
  const target = views.get(stage);
  if (about(target)) return stageWait(pipeline, target!, release, now);
  // Not at this stage yet: say where the release is held on its way.
  for (const s of pipeline.spec.stages) {
    const v = views.get(s.name);
    if (s.name === stage || !about(v) || (v!.release === release && v!.state === "Healthy")) continue;
    return `waiting for ${release} to pass ${s.name}: ${stageWait(pipeline, v!, release, now)}`;
  }
  return `waiting for ${release} to reach ${stage}`;
}

function stageWait(pipeline: Pipeline, v: StageView, release: string, now: Date): string {
  const rollout = pipeline.spec.stages.find((s) => s.name === v.stage)?.rollout ?? "its rollout";
  if (v.candidate === release) return waitingLine(v, now) ?? `waiting for ${release} to enter ${v.stage}`;
  if (v.state === "Failed") return `${rollout} in ${v.stage} is failing: ${v.message}`;
  if (v.release !== release || v.state === "Promoting")
    return `waiting for ${rollout} to roll out ${release} in ${v.stage}`;
  return `waiting for ${release} to become Healthy in ${v.stage}`;
}

/**
 * `sluice pipeline wait PIPELINE --release R --stage S`: follows the pipeline until the record
 * shows R Healthy in S (exit 0) or R rejected or failed there (exit 1), printing what it waits on
 * each time that changes. Exit 2 once `--timeout` passes, 3 if the controller stays unreachable
 * for the reconnect deadline.
 */
export async function pipelineWaitCommand(
  api: ApiClient,
  pipelineName: string,
  opts: WaitOptions,
  out: Output,
): Promise<number> {
  const pipeline = await api.get<Pipeline>(`/pipelines/${encodeURIComponent(pipelineName)}`);
  if (!pipeline.spec.stages.some((s) => s.name === opts.stage))
    throw new CliError(
      `pipeline ${pipelineName} has no stage "${opts.stage}"; its stages are ${pipeline.spec.stages.map((s) => s.name).join(", ")}`,
    );
  const release = await api.get<Release>(`/releases/${encodeURIComponent(opts.release)}`);
  if (release.spec.pipeline !== pipelineName)
    throw new CliError(`release ${opts.release} belongs to pipeline ${release.spec.pipeline}, not ${pipelineName}`);

  const finish = (outcome: NonNullable<WaitOutcome>) => {
    const e = outcome.entry;
    if (outcome.done === "healthy") {
      out.log(`${opts.release} is Healthy in ${opts.stage} (recorded #${e.seq} at ${e.time})`);
      return WAIT_EXIT.healthy;
    }
    const what = e.type === "Rejected" ? "was rejected" : `failed in ${e.stage}`;
    out.log(`${opts.release} ${what} (recorded #${e.seq} at ${e.time} by ${e.actor}): ${e.reason}`);
    return WAIT_EXIT.rejected;
  };

  let client = api;
  let lastKey = "";
  let lastText = "";
  const check = async (): Promise<WaitOutcome> => {
    const entries = await client.get<RecordedEntry[]>(recordPath(pipelineName, opts.release));
    const outcome = waitOutcome(entries, opts.stage);
    if (outcome) return outcome;
    const p = await client.get<Pipeline>(`/pipelines/${encodeURIComponent(pipelineName)}`);
    const { text, key } = waitingOn(p, opts.stage, opts.release, new Date());
    lastText = text;
    if (key !== lastKey) {
      lastKey = key;
      out.log(text);
    }
    return undefined;
  };
  const first = await check();
  if (first) return finish(first);

  const controller = new AbortController();
  opts.signal?.addEventListener("abort", () => controller.abort());
  const timer = opts.timeoutMs ? setTimeout(() => controller.abort(), opts.timeoutMs) : undefined;
  try {
    const outcome = await new Promise<WaitOutcome>((resolve, reject) => {
      let checking = Promise.resolve();
      // Checks run one after another, so lines print in order and a late read cannot undo an early one.
      const checkOrReject = () => {
        checking = checking.then(() =>
          check().then(
            (o) => o && resolve(o),
            (err) => {
              // A read that fails because the controller just went away is retried once the watch is back.
              if (!(err instanceof ApiClientError && err.code === "Unavailable")) reject(err);
            },
          ),
        );
      };
      controller.signal.addEventListener("abort", () => resolve(undefined));
      const onChange = (change: ChangeNotice) => {
        if (change.type !== "deleted" || change.name === pipelineName) checkOrReject();
      };
      watchWithReconnect(onChange, {
        client: api,
        reconnect: opts.reconnect ?? (() => api),
        signal: controller.signal,
        name: pipelineName,
        kind: "Pipeline",
        notice: (line) => out.error(line),
        ...(opts.reconnectDeadlineMs !== undefined ? { reconnectDeadlineMs: opts.reconnectDeadlineMs } : {}),
        // The outcome may have been recorded before the (re)subscription: read it once it is in place.
        onOpen: (c) => {
          client = c;
          checkOrReject();
        },
      }).catch(reject);
    });
    if (outcome) return finish(outcome);
    if (opts.signal?.aborted) throw new CliError("interrupted", WAIT_EXIT.timedOut);
    out.error(
      `timed out after ${Math.round((opts.timeoutMs ?? 0) / 1000)}s waiting for ${opts.release} to be Healthy in ${opts.stage}; last: ${lastText}`,
    );
    return WAIT_EXIT.timedOut;
  } catch (err) {
    if (err instanceof ControllerLostError)
      throw new CliError(`${err.message}; last: ${lastText || "unknown"}`, WAIT_EXIT.controllerLost, { cause: err });
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    controller.abort();
  }
}
