import { describe, expect, it } from "vitest";
import type { RolloutEvent } from "../../engine/types.js";
import { Pipeline, type RecordEntry, Release } from "../../model/index.js";
import type { RecordedEntry } from "../../ports/control-plane.js";
import type { PendingRequest, PipelineStore, SettledRequest } from "../../ports/pipeline-store.js";
import type { AnalysisLoop } from "../analysis-loop.js";
import { PipelineLoop } from "./loop.js";

const pipeline = Pipeline.parse({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Pipeline",
  metadata: { name: "shop" },
  spec: {
    stages: [
      { name: "canary", rollout: "c" },
      { name: "prod", rollout: "p", approval: { required: 2, from: { roles: ["approvers"] } } },
    ],
  },
});
const release = Release.parse({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Release",
  metadata: { name: "v2", creationTimestamp: "2026-01-01T00:00:00Z" },
  spec: { pipeline: "shop", image: "web:2" },
});
const approve = (id: string, name: string, roles = ["approvers"]): PendingRequest => ({
  id,
  request: { type: "approve", stage: "prod", release: "v2", reason: `${name} says ok` },
  actor: { name, role: "", roles },
});

/** A store in memory that, like the Kubernetes one, forgets a request once it is settled. */
class MemoryStore implements PipelineStore {
  record_: RecordedEntry[] = [
    {
      seq: 1,
      time: "2026-01-01T00:00:00Z",
      pipeline: "shop",
      release: "v2",
      stage: "prod",
      type: "ApprovalRequested",
      actor: "sluice",
      reason: "",
    },
  ];
  settled: SettledRequest[] = [];
  constructor(public pending: PendingRequest[]) {}
  pipelines = () => [pipeline];
  pipeline = () => pipeline;
  stageRollout = () => undefined;
  release = () => release;
  releases = () => [release];
  runs = () => [];
  record = () => this.record_;
  append(
    _p: string,
    entries: readonly RecordEntry[],
    _events: RolloutEvent[],
    settled: readonly SettledRequest[] = [],
  ) {
    const recorded = entries.map((e, i) => ({ ...e, seq: this.record_.length + i + 1 }));
    this.record_ = [...this.record_, ...recorded];
    this.settled.push(...settled);
    const done = new Set(settled.map((s) => s.id));
    this.pending = this.pending.filter((p) => !done.has(p.id));
    return { entries: recorded, events: [] };
  }
  commitStatus = () => [];
  putStageRollout() {}
  pendingRequests = () => this.pending;
}

const run = async (store: MemoryStore) => {
  const loop = new PipelineLoop({
    store,
    analysis: {} as AnalysisLoop,
    now: () => new Date("2026-01-01T00:01:00Z"),
    notify: () => {},
    rolloutChanged: () => {},
  });
  loop.pipelineChanged("shop");
  await loop.idle();
  loop.stop();
};

describe("PipelineLoop with requests that arrive as objects", () => {
  it("records each once, with its actor and roles, and refuses a repeat or an unchecked one in the same write", async () => {
    const store = new MemoryStore([
      approve("u1", "alice"),
      approve("u2", "alice"),
      { ...approve("u3", "mallory"), refusal: "the requester was not checked" },
      approve("u4", "bob", []),
    ]);
    await run(store);
    const approved = store.record_.filter((e) => e.type === "Approved");
    expect(approved.map((e) => [e.actor, e.actorRoles])).toEqual([["alice", ["approvers"]]]);
    expect(Object.fromEntries(store.settled.map((s) => [s.id, s.entry ? "recorded" : s.refusal]))).toEqual({
      u1: "recorded",
      u2: expect.stringMatching(/alice already approved v2/),
      u3: "the requester was not checked",
      u4: expect.stringMatching(/bob \(no role\) may not approve prod/),
    });
    expect(store.pending).toEqual([]);

    // Planned again (a restart), nothing is counted twice.
    await run(store);
    expect(store.record_.filter((e) => e.type === "Approved")).toHaveLength(1);
  });
});
