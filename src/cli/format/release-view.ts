import { byCreation, type Pipeline, type Release, type ReleaseSpec, releaseCreatedBy } from "../../model/index.js";
import type { RecordedEntry } from "../../ports/control-plane.js";
import { pipelineStatus } from "./pipeline-view.js";
import { renderRecord } from "./record-view.js";
import { age, renderTable } from "./table.js";

/** What a release changes, in a few words: `image shop:2.0, env VERSION=2.0, 3 features`. */
export function releaseChanges(spec: ReleaseSpec): string {
  const parts: string[] = [];
  if (spec.image) parts.push(`image ${spec.image}`);
  if (spec.command) parts.push(`command ${spec.command}`);
  if (spec.args) parts.push(`args ${spec.args.join(" ")}`);
  if (spec.env.length > 0) parts.push(`env ${spec.env.map((e) => `${e.name}=${e.value}`).join(",")}`);
  if (spec.features) {
    const n = Object.keys(spec.features).length;
    parts.push(`${n} feature${n === 1 ? "" : "s"}`);
  }
  const text = parts.join(", ");
  return text.length > 60 ? `${text.slice(0, 59)}…` : text || "-";
}

/** The stages whose rollout runs the release now, from the pipelines' status: `canary,staging`. */
export function runningIn(release: string, pipeline: Pipeline | undefined): string[] {
  const status = pipeline && pipelineStatus(pipeline);
  return status ? status.stages.filter((s) => s.release === release).map((s) => s.stage) : [];
}

/** `sluice get releases`: oldest first, with what each changes, where it runs, who created it. */
export function renderReleases(releases: Release[], pipelines: Pipeline[], now: Date): string {
  if (releases.length === 0) return "No resources found.";
  const byName = new Map(pipelines.map((p) => [p.metadata.name, p]));
  const sorted = [...releases].sort(byCreation);
  return renderTable(
    ["NAME", "PIPELINE", "CHANGES", "RUNNING IN", "CREATED BY", "AGE"],
    sorted.map((r) => [
      r.metadata.name,
      r.spec.pipeline,
      releaseChanges(r.spec),
      runningIn(r.metadata.name, byName.get(r.spec.pipeline)).join(",") || "-",
      releaseCreatedBy(r) ?? "-",
      age(r.metadata.creationTimestamp, now),
    ]),
  );
}

/** Whether the record leaves the release rejected: the last Rejected with no Unrejected after it. */
export function rejection(entries: readonly RecordedEntry[]): RecordedEntry | undefined {
  const last = entries.filter((e) => e.type === "Rejected" || e.type === "Unrejected").at(-1);
  return last?.type === "Rejected" ? last : undefined;
}

/**
 * `sluice describe release NAME`: its spec, who created it and when, its source, where it runs
 * now, whether it is rejected, and every record entry about it.
 */
export function describeRelease(release: Release, record: readonly RecordedEntry[], pipeline?: Pipeline): string {
  const s = release.spec;
  const lines = [
    `Name:        ${release.metadata.name}`,
    `Pipeline:    ${s.pipeline}`,
    `Created:     ${release.metadata.creationTimestamp ?? "-"}`,
    `Created by:  ${releaseCreatedBy(release) ?? "-"}`,
  ];
  if (s.source?.commit) lines.push(`Commit:      ${s.source.commit}`);
  if (s.source?.buildUrl) lines.push(`Build:       ${s.source.buildUrl}`);
  if (s.image) lines.push(`Image:       ${s.image}${s.container ? ` (container ${s.container})` : ""}`);
  if (s.command) lines.push(`Command:     ${s.command}`);
  if (s.args) lines.push(`Args:        ${JSON.stringify(s.args)}`);
  if (s.env.length > 0) {
    lines.push("Env:");
    for (const e of s.env) lines.push(`  ${e.name}=${e.value}`);
  }
  if (s.features) lines.push(`Features:    ${JSON.stringify(s.features)} (in $${s.featuresEnv})`);
  const running = runningIn(release.metadata.name, pipeline);
  lines.push(`Running in:  ${running.length > 0 ? running.join(", ") : "no stage"}`);
  const rejected = rejection(record);
  if (rejected) lines.push(`Rejected:    by ${rejected.actor} at ${rejected.time}: ${rejected.reason}`);
  lines.push(
    "",
    "Record:",
    ...renderRecord(record)
      .split("\n")
      .map((l) => `  ${l}`),
  );
  return lines.join("\n");
}
