import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AnalysisPhase, PipelineSpec, type RecordEntry, stageAfter } from "../model/index.js";
import { mayApprove } from "./approval.js";
import { plan } from "./plan.js";
import type { GateRuns, PlanInput, StageObservation } from "./types.js";
import { windowOpenAt } from "./window.js";

const STAGES = ["s0", "s1", "s2", "s3"];
const RELEASES = ["r0", "r1", "r2", "r3"];
const PHASES = ["Progressing", "Paused", "Healthy", "Degraded"] as const;
const RUN_PHASES: AnalysisPhase[] = ["Pending", "Running", "Successful", "Failed", "Error", "Inconclusive"];

const windowArb = fc.record({
  timeZone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York"),
  deny: fc.array(
    fc.record({
      days: fc.constantFrom("Mon-Fri", "Sat,Sun", "Fri"),
      from: fc.constantFrom("00:00", "08:00", "16:00"),
      to: fc.constantFrom("12:00", "24:00"),
    }),
    { maxLength: 2 },
  ),
});

/** Each gate is left out about two times in three, so some stages have none and releases move. */
const maybe = <T>(arb: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: arb, weight: 1 });

const stageArb = (name: string) =>
  fc
    .record({
      name: fc.constant(name),
      rollout: fc.constant(`web-${name}`),
      // Mostly the default chain; sometimes any list, including unknown names, itself and cycles.
      after: fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.subarray(STAGES), weight: 1 }),
      soak: maybe(fc.constantFrom("1m", "1h")),
      approval: maybe(
        fc.record({
          required: fc.integer({ min: 1, max: 3 }),
          from: fc.record(
            { names: fc.subarray(["ann", "bob", "cy"]), roles: fc.subarray(["approver"]) },
            { requiredKeys: [] },
          ),
          timeout: fc.constantFrom("10m", "2h"),
          onTimeout: fc.constantFrom("wait", "reject"),
        }),
      ),
      verification: maybe(fc.constant({ templates: [{ templateName: "slo" }] })),
      checks: maybe(fc.constant([{ name: "it", templates: [{ templateName: "integration" }] }])),
      window: maybe(windowArb),
      autoPromote: maybe(fc.boolean()),
    })
    .map((stage) => Object.fromEntries(Object.entries(stage).filter(([, v]) => v !== undefined)));

const specArb = fc
  .integer({ min: 1, max: STAGES.length })
  .chain((n) =>
    fc.record({
      stages: fc.tuple(...STAGES.slice(0, n).map(stageArb)),
      onFailure: fc.constantFrom("leave", "rollbackEarlier"),
    }),
  )
  .map((s) => PipelineSpec.parse(s));

const weighted = <T>(...pairs: [fc.Arbitrary<T>, number][]) =>
  fc.oneof(...pairs.map(([arbitrary, weight]) => ({ arbitrary, weight })));

const stepArb = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant("time" as const), ms: fc.integer({ min: 0, max: 4 * 3_600_000 }) }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant("release" as const) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant("observe" as const),
      stage: fc.constantFrom(...STAGES),
      release: fc.option(fc.constantFrom(...RELEASES), { nil: undefined }),
      phase: weighted([fc.constant("Healthy" as const), 3], [fc.constantFrom(...PHASES), 1]),
      aborted: weighted([fc.constant(false), 4], [fc.constant(true), 1]),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant("settle" as const), stage: fc.constantFrom(...STAGES) }), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant("verdict" as const),
      pick: fc.nat(),
      phase: weighted([fc.constant("Successful" as const), 4], [fc.constantFrom(...RUN_PHASES), 1]),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("person" as const),
      type: weighted(
        [fc.constantFrom("Approved" as const, "PromoteRequested" as const), 6],
        [fc.constantFrom("Denied" as const, "Rejected" as const, "Unrejected" as const, "Retried" as const), 1],
      ),
      stage: fc.constantFrom(...STAGES),
      release: fc.constantFrom(...RELEASES),
      actor: fc.constantFrom("ann", "bob", "cy", "mallory"),
      roles: fc.subarray(["approver", "viewer"]),
    }),
    weight: 3,
  },
);

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function rejectedAfter(entries: readonly RecordEntry[], release: string): boolean {
  const last = entries
    .filter((e) => e.release === release && (e.type === "Rejected" || e.type === "Unrejected"))
    .at(-1);
  return last?.type === "Rejected";
}

/** Checks what every new Promoted or RolledBack entry of a plan must satisfy, given the record before it. */
function checkPromotions(spec: PipelineSpec, before: readonly RecordEntry[], added: readonly RecordEntry[], now: Date) {
  added.forEach((e, i) => {
    if (e.type !== "Promoted" && e.type !== "RolledBack") return;
    const seen = [...before, ...added.slice(0, i)];
    const stage = e.stage as string;
    const has = (type: string, s: string, gate?: string) =>
      seen.some(
        (x) => x.type === type && x.stage === s && x.release === e.release && (gate === undefined || x.gate === gate),
      );
    expect(rejectedAfter(seen, e.release), `${e.release} promoted into ${stage} while rejected`).toBe(false);
    // A release that was Healthy in the stage before may go back there without gates (a rollback).
    if (has("Healthy", stage) || e.type === "RolledBack") return;
    const index = spec.stages.findIndex((s) => s.name === stage);
    const s = spec.stages[index];
    if (!s) throw new Error(`no stage ${stage}`);
    for (const u of stageAfter(spec, index)) expect(has("Healthy", u), `${e.release} skipped ${u}`).toBe(true);
    const root = stageAfter(spec, index).length === 0;
    const approval = s.approval;
    if (approval) {
      expect(has("GatePassed", stage, "approval")).toBe(true);
      const approvers = seen.filter(
        (x) => x.type === "Approved" && x.stage === stage && x.release === e.release && mayApprove(approval, x),
      );
      expect(new Set(approvers.map((x) => x.actor)).size).toBeGreaterThanOrEqual(approval.required);
    }
    if (s.soak !== undefined && !root) expect(has("GatePassed", stage, "soak")).toBe(true);
    if (s.verification && !root) expect(has("Verified", stage)).toBe(true);
    if (s.checks?.length) expect(has("GatePassed", stage, "checks")).toBe(true);
    if (s.window) expect(windowOpenAt(s.window, now.getTime())).toBe(true);
    if (!s.autoPromote && !s.approval) expect(e.actor).not.toBe("sluice");
  });
}

function run(spec: PipelineSpec, steps: Step[]): void {
  let now = new Date("2025-03-07T12:00:00Z");
  const releases: string[] = [];
  const stages: Record<string, StageObservation> = Object.fromEntries(
    spec.stages.map((s) => [s.name, { phase: "Healthy" }]),
  );
  const record: RecordEntry[] = [];
  const runs: GateRuns = {};
  const input = (): PlanInput => ({
    pipeline: { name: "p", spec },
    releases: releases.map((name) => ({ metadata: { name } })),
    stages,
    record,
    runs,
    now,
  });
  for (const step of steps) {
    if (step.kind === "time") now = new Date(now.getTime() + step.ms);
    else if (step.kind === "release" && releases.length < RELEASES.length)
      releases.push(RELEASES[releases.length] as string);
    else if (step.kind === "observe")
      stages[step.stage] = {
        ...(step.release ? { release: step.release } : {}),
        phase: step.phase,
        aborted: step.aborted,
        healthySince: now.toISOString(),
        failedAt: now.toISOString(),
      };
    else if (step.kind === "settle" && stages[step.stage])
      stages[step.stage] = { ...stages[step.stage], phase: "Healthy", aborted: false, healthySince: now.toISOString() };
    else if (step.kind === "verdict") {
      const names = Object.keys(runs);
      const name = names[step.pick % Math.max(1, names.length)];
      if (name) runs[name] = { phase: step.phase };
    } else if (step.kind === "person")
      record.push({
        time: now.toISOString(),
        pipeline: "p",
        type: step.type,
        release: step.release,
        ...(step.type === "Rejected" || step.type === "Unrejected" ? {} : { stage: step.stage }),
        actor: step.actor,
        actorRoles: step.roles,
        reason: "",
      });
    const result = plan(input());
    checkPromotions(spec, record, result.entries, now);
    record.push(...result.entries);
    expect(plan(input()).entries, "a second plan with the same input added entries").toEqual([]);
    for (const a of result.actions) {
      if (a.type === "startGateRun") runs[a.name] ??= { phase: "Running" };
      else stages[a.stage] = { release: a.release, phase: "Progressing" };
    }
  }
}

describe("plan, for generated pipelines and histories", () => {
  it("never throws, never promotes a rejected release or past a gate that has not passed, and is idempotent", () => {
    fc.assert(
      fc.property(specArb, fc.array(stepArb, { minLength: 5, maxLength: 60 }), (spec, steps) =>
        run(spec, [{ kind: "release" }, ...steps]),
      ),
      { numRuns: 300 },
    );
  });
});
