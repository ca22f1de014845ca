import { describe, expect, it } from "vitest";
import type { Rollout } from "../model/index.js";
import { applyCommand } from "./commands.js";
import { EngineError } from "./errors.js";
import { revisionHash } from "./hash.js";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";
import type { RolloutCommand } from "./types.js";

const now = new Date("2025-02-03T04:05:06Z");
const steps = [
  { setWeight: 25 },
  { pause: {} },
  { analysis: { templates: [{ templateName: "t" }] } },
  { setWeight: 50 },
];

/** A rollout in the middle of a canary, at `index`, with the given pause reasons. */
function midRollout(index: number, pauses: string[] = [], paused = false): Rollout {
  const h = new EngineHarness(rolloutManifest({ strategy: { canary: { steps } } }));
  h.settle();
  h.update((s) => setVersion(s, "v2"));
  const status = {
    ...h.status,
    currentStepIndex: index,
    pauseConditions: pauses.map((reason) => ({ reason, startTime: "2025-01-01T00:00:00.000Z" })),
  } as Rollout["status"];
  return { ...h.rollout, spec: { ...h.rollout.spec, paused }, status };
}

describe("applyCommand: promote", () => {
  it.each([
    { at: "a pause step", index: 1, pauses: ["CanaryPauseStep"], paused: false, step: 2 },
    { at: "an inconclusive analysis step", index: 2, pauses: ["InconclusiveAnalysis"], paused: false, step: 3 },
    { at: "a running step with no pause", index: 2, pauses: [], paused: false, step: 3 },
    { at: "a user pause only", index: 2, pauses: ["UserPause"], paused: true, step: 2 },
    {
      at: "a pause step also paused by the user",
      index: 1,
      pauses: ["CanaryPauseStep", "UserPause"],
      paused: true,
      step: 2,
    },
    {
      at: "background inconclusive on a weight step",
      index: 3,
      pauses: ["InconclusiveAnalysis"],
      paused: false,
      step: 3,
    },
  ])("at $at goes to step index $step and clears pauses", ({ index, pauses, paused, step }) => {
    const out = applyCommand(midRollout(index, pauses, paused), { type: "promote" }, now);
    expect(out.status?.currentStepIndex).toBe(step);
    expect(out.status?.pauseConditions).toEqual([]);
    expect(out.spec.paused).toBe(false);
    if (step !== index) expect(out.status?.stepStartedAt).toBe(now.toISOString());
  });

  it("does not change its input", () => {
    const input = midRollout(1, ["CanaryPauseStep"]);
    const copy = structuredClone(input);
    applyCommand(input, { type: "promote" }, now);
    expect(input).toEqual(copy);
  });
});

describe("applyCommand: status and spec flags", () => {
  it.each<{ command: RolloutCommand; check: (r: Rollout) => unknown; expected: unknown }>([
    { command: { type: "promoteFull" }, check: (r) => r.status?.promoteFull, expected: true },
    { command: { type: "abort" }, check: (r) => [r.status?.abort, r.status?.abortedAt], expected: [true, undefined] },
    { command: { type: "pause" }, check: (r) => r.spec.paused, expected: true },
    { command: { type: "restart" }, check: (r) => r.spec.restartAt, expected: now.toISOString() },
  ])("$command.type", ({ command, check, expected }) => {
    expect(check(applyCommand(midRollout(2), command, now))).toEqual(expected);
  });

  it("resume clears spec.paused", () => {
    expect(applyCommand(midRollout(2, ["UserPause"], true), { type: "resume" }, now).spec.paused).toBe(false);
  });

  it("retry clears abort and leaves abortedAt for reconcile to see", () => {
    const aborted = midRollout(2);
    aborted.status = { ...aborted.status!, abort: true, abortedAt: "2025-01-01T00:00:00.000Z" };
    const out = applyCommand(aborted, { type: "retry" }, now);
    expect(out.status).toMatchObject({ abort: false, abortedAt: "2025-01-01T00:00:00.000Z" });
  });

  it("retry is a no-op when not aborted", () => {
    const r = midRollout(2);
    expect(applyCommand(r, { type: "retry" }, now)).toEqual(r);
  });
});

describe("applyCommand: template changes", () => {
  const rollout = midRollout(0);

  it.each<{ command: RolloutCommand; expected: Record<string, unknown> }>([
    {
      command: { type: "setEnv", env: { A: "1", B: "2" } },
      expected: {
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ],
      },
    },
    { command: { type: "setArgs", args: ["server.js", "--fast"] }, expected: { args: ["server.js", "--fast"] } },
    { command: { type: "setCommand", command: "deno" }, expected: { command: "deno", args: ["app.js", "v2"] } },
    { command: { type: "setCommand", command: "bun", args: ["run"] }, expected: { command: "bun", args: ["run"] } },
  ])("$command.type", ({ command, expected }) => {
    const out = applyCommand(rollout, command, now);
    expect(out.spec.template.process).toMatchObject(expected);
    expect(revisionHash(out.spec.template)).not.toBe(revisionHash(rollout.spec.template));
  });

  it("setEnv replaces, adds and removes (null) variables", () => {
    const withEnv = applyCommand(rollout, { type: "setEnv", env: { A: "1", B: "2" } }, now);
    const out = applyCommand(withEnv, { type: "setEnv", env: { A: null, B: "3", C: "4" } }, now);
    expect(out.spec.template.process?.env).toEqual([
      { name: "B", value: "3" },
      { name: "C", value: "4" },
    ]);
  });

  it("process commands on a pod template throw an EngineError", () => {
    const pod = structuredClone(rollout);
    pod.spec.template = { spec: { containers: [{ name: "app", image: "app:1" }] } };
    expect(() => applyCommand(pod, { type: "setArgs", args: [] }, now)).toThrow(EngineError);
  });

  it("setEnv on a pod template changes every container's env, as kubectl set env does", () => {
    const pod = structuredClone(rollout);
    pod.spec.template = {
      spec: {
        containers: [
          {
            name: "app",
            image: "app:1",
            env: [
              { name: "A", value: "0" },
              { name: "KEEP", value: "k" },
            ],
          },
          { name: "envoy", image: "envoy:1" },
        ],
      },
    };
    const out = applyCommand(pod, { type: "setEnv", env: { A: null, B: "2" } }, now);
    expect(out.spec.template.spec?.containers.map((c) => c.env)).toEqual([
      [
        { name: "KEEP", value: "k" },
        { name: "B", value: "2" },
      ],
      [{ name: "B", value: "2" }],
    ]);
    expect(pod.spec.template.spec?.containers[0]?.env).toEqual([
      { name: "A", value: "0" },
      { name: "KEEP", value: "k" },
    ]);
  });

  it("setImage changes the named containers' images (init containers too) and refuses unknown names", () => {
    const pod = structuredClone(rollout);
    pod.spec.template = {
      spec: {
        containers: [
          { name: "app", image: "app:1" },
          { name: "proxy", image: "envoy:1" },
        ],
        initContainers: [{ name: "migrate", image: "app:1" }],
      },
    };
    const out = applyCommand(pod, { type: "setImage", images: { app: "app:2", migrate: "app:2" } }, now);
    expect(out.spec.template.spec?.containers.map((c) => c.image)).toEqual(["app:2", "envoy:1"]);
    expect(out.spec.template.spec?.initContainers).toEqual([{ name: "migrate", image: "app:2" }]);
    expect(revisionHash(out.spec.template)).not.toBe(revisionHash(pod.spec.template));
    expect(pod.spec.template.spec?.containers[0]?.image).toBe("app:1");
    expect(() => applyCommand(pod, { type: "setImage", images: { ap: "app:2" } }, now)).toThrow(
      'rollout "web" has no container "ap"; its containers: app, proxy, migrate',
    );
    expect(() => applyCommand(rollout, { type: "setImage", images: { app: "x" } }, now)).toThrow(/template\.process/);
  });
});

describe("applyCommand: undo", () => {
  function threeRevisions() {
    const h = new EngineHarness(rolloutManifest({ strategy: { canary: {} } }));
    h.settle();
    h.update((s) => setVersion(s, "v2"));
    h.update((s) => setVersion(s, "v3"));
    return h;
  }

  it("goes back to the previous revision's template by default", () => {
    const h = threeRevisions();
    const out = applyCommand(h.rollout, { type: "undo" }, now, h.templates);
    expect(out.spec.template.process?.args).toEqual(["app.js", "v2"]);
  });

  it("goes to a named revision", () => {
    const h = threeRevisions();
    const out = applyCommand(h.rollout, { type: "undo", toRevision: 1 }, now, h.templates);
    expect(revisionHash(out.spec.template)).toBe(h.hash(1));
  });

  it.each([
    {
      name: "an unknown revision number",
      toRevision: 9,
      templates: true,
      message: /no revision 9 \(known revisions: 1, 2, 3\)/,
    },
    { name: "a revision whose template is gone", toRevision: 1, templates: false, message: /no longer stored/ },
  ])("throws an EngineError for $name", ({ toRevision, templates, message }) => {
    const h = threeRevisions();
    const call = () => applyCommand(h.rollout, { type: "undo", toRevision }, now, templates ? h.templates : {});
    expect(call).toThrow(EngineError);
    expect(call).toThrow(message);
  });

  it("undo then reconcile rolls out the old template as a new revision number", () => {
    const h = threeRevisions();
    h.command({ type: "undo" });
    expect(h.status.currentRevision).toBe(h.hash(4));
    expect(h.hash(4)).toBe(h.versionHash("v2"));
    expect(h.status.history.map((e) => e.number)).toEqual([1, 3, 4]);
  });
});
