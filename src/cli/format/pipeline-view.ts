import pc from "picocolors";
import type { PipelineStatus } from "../../controller/pipelines/loop.js";
import type { Pipeline } from "../../model/index.js";
import type { GateView, StageView } from "../../pipeline/types.js";
import { age, renderTable } from "./table.js";

/** The status a pipeline carries once the controller has planned it; undefined before. */
export function pipelineStatus(pipeline: Pipeline): PipelineStatus | undefined {
  const s = pipeline.status as Partial<PipelineStatus> | undefined;
  return s && Array.isArray(s.stages) ? (s as PipelineStatus) : undefined;
}

/**
 * How long until `until`, in the short form of a countdown: `23h59m`, `4m12s`, `45s`, `2d3h`;
 * `now` once it has passed.
 */
export function countdown(until: string, now: Date): string {
  const s = Math.floor((Date.parse(until) - now.getTime()) / 1000);
  if (!Number.isFinite(s)) return "?";
  if (s <= 0) return "now";
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor(s / 3600) % 24}h`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** What a gate's `until` means: when the soak is done, when the window opens, when the approval request expires. */
const UNTIL_WORDS: Partial<Record<GateView["gate"], string>> = {
  soak: "done in",
  window: "opens in",
  approval: "expires in",
};

/** One gate in a few words: `approval waiting (expires in 23h59m)`, `soak passed`. */
export function gateSummary(gate: GateView, now: Date): string {
  const words = UNTIL_WORDS[gate.gate] ?? "until";
  const when = gate.state === "Waiting" && gate.until ? ` (${words} ${countdown(gate.until, now)})` : "";
  return `${gate.gate} ${gate.state.toLowerCase()}${when}`;
}

/** The gate a waiting stage is held at: the first that has not passed. */
export function blockingGate(view: StageView): GateView | undefined {
  return view.gates.find((g) => g.state !== "Passed");
}

/**
 * A stage's wait in words a person can act on, with a countdown where the wait ends by itself:
 * `waiting for approval in prod (expires in 23h59m)`.
 */
export function waitingLine(view: StageView, now: Date): string | undefined {
  const gate = blockingGate(view);
  if (view.state !== "Waiting" || !gate) return undefined;
  const words = UNTIL_WORDS[gate.gate] ?? "until";
  const when = gate.until ? ` (${words} ${countdown(gate.until, now)})` : "";
  return `waiting for ${gate.gate} in ${view.stage}${when}`;
}

/** `sluice get pipelines`: name, stage count, and each stage's release and state on one line. */
export function renderPipelines(pipelines: Pipeline[], now: Date): string {
  if (pipelines.length === 0) return "No resources found.";
  return renderTable(
    ["NAME", "STAGES", "STATE", "AGE"],
    pipelines.map((p) => {
      const status = pipelineStatus(p);
      const state = status
        ? status.stages.map((s) => `${s.stage}=${s.release ?? "-"} ${s.state}${held(s)}`).join("  ")
        : "not planned yet";
      return [p.metadata.name, String(p.spec.stages.length), state, age(p.metadata.creationTimestamp, now)];
    }),
  );
}

/** What a waiting stage holds at its gates: `(v2: approval)`. */
function held(view: StageView): string {
  const gate = blockingGate(view);
  return view.state === "Waiting" && view.candidate && gate ? `(${view.candidate}: ${gate.gate})` : "";
}

/** Colours a stage state on a terminal; plain in a pipe. */
function colourState(state: StageView["state"], color: boolean): string {
  const c = pc.createColors(color);
  if (state === "Healthy") return c.green(state);
  if (state === "Failed") return c.red(state);
  if (state === "Waiting") return c.yellow(state);
  if (state === "Promoting") return c.cyan(state);
  if (state === "Unreachable") return c.magenta(state);
  return state;
}

/**
 * `sluice get pipeline NAME`: the stages side by side, one row per stage (its rollout, the release
 * it runs, the release the record wants there and the one waiting at its gates, its state, and
 * each gate with a countdown), then what each stage is doing and the pipeline's own message.
 */
export function renderPipelineView(pipeline: Pipeline, now: Date, color = false): string {
  const status = pipelineStatus(pipeline);
  const lines = [
    `Pipeline: ${pipeline.metadata.name}   stages: ${pipeline.spec.stages.length}   onFailure: ${pipeline.spec.onFailure}`,
  ];
  if (!status) {
    lines.push("", "not planned yet: the controller has not looked at this pipeline (is `sluice up` running?)");
    return lines.join("\n");
  }
  if (status.observedGeneration < (pipeline.metadata.generation ?? 0))
    lines.push("(this status predates the latest change to the pipeline)");
  const byStage = new Map(status.stages.map((s) => [s.stage, s]));
  // The CLUSTER column appears only when a stage runs in a registered target (hub drives).
  const clusters = pipeline.spec.stages.some((s) => s.cluster !== undefined);
  const rows = pipeline.spec.stages.map((spec) => {
    const v = byStage.get(spec.name);
    return [
      spec.name,
      ...(clusters ? [spec.cluster ?? "(hub)"] : []),
      spec.rollout,
      v?.release ?? "-",
      v?.desired ?? "-",
      v?.candidate ?? "-",
      v ? colourState(v.state, color) : "-",
      v && v.gates.length > 0 ? v.gates.map((g) => gateSummary(g, now)).join(", ") : "-",
    ];
  });
  lines.push(
    "",
    renderTable(
      ["STAGE", ...(clusters ? ["CLUSTER"] : []), "ROLLOUT", "RELEASE", "DESIRED", "CANDIDATE", "STATE", "GATES"],
      rows,
    ),
  );
  const said = status.stages.filter((s) => s.message !== "");
  if (said.length > 0) {
    lines.push("");
    for (const s of said)
      lines.push(`${s.stage}: ${waitingLine(s, now) ?? s.message}${detail(s)}${lastContact(s, now)}`);
  }
  if (status.message) lines.push("", `Message: ${status.message}`);
  return lines.join("\n");
}

/** How old an unreachable stage's last known state is: ` (last contact 42s ago)`. */
function lastContact(view: StageView, now: Date): string {
  const at = view.unreachable?.lastContact;
  return at ? ` (last contact ${age(at, now)} ago)` : "";
}

/** The blocking gate's own words, after the waiting line that names it. */
function detail(view: StageView): string {
  const gate = blockingGate(view);
  return view.state === "Waiting" && gate?.message ? ` — ${gate.message}` : "";
}
