import { describe, expect, it } from "vitest";
import { EngineError } from "./errors.js";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

const web = { url: "http://127.0.0.1:9/hook" };

function started(hooks: unknown[], steps: unknown[] = [{ setWeight: 25 }, { setWeight: 50 }]) {
  const h = new EngineHarness(rolloutManifest({ hooks, strategy: { canary: { steps } } }));
  h.settle();
  h.update((s) => setVersion(s, "v2"));
  return h;
}

describe("confirm-rollout", () => {
  it("holds the canary at zero replicas, Paused with the reason, until the hook succeeds", () => {
    const h = started([{ name: "ok", type: "confirm-rollout", webhook: web, intervalSeconds: 5 }]);
    expect(h.status.phase).toBe("Paused");
    expect(h.status.pauseConditions.map((p) => p.reason)).toEqual(["Gate"]);
    expect(h.status.message).toContain('confirm-rollout hook "ok"');
    expect(h.replicas(2)).toBe(0);
    expect(h.hookRuns).toMatchObject([{ key: "hook/ok", attempt: 1, hookType: "confirm-rollout", weight: 0 }]);

    h.answerHook("hook/ok", false, "answered HTTP 403");
    expect(h.gate("hook/ok")).toMatchObject({
      attempts: 1,
      failures: 1,
      lastAnswer: "answered HTTP 403",
      nextTryAt: "2025-01-01T00:00:05.000Z",
    });
    expect(h.status.message).toContain("last answer: answered HTTP 403");
    expect(h.last?.wakeAt?.toISOString()).toBe("2025-01-01T00:00:05.000Z");
    expect(h.hookRuns).toHaveLength(1); // no new try before the interval

    h.wake();
    expect(h.hookRuns.map((r) => r.attempt)).toEqual([1, 2]);
    h.answerHook("hook/ok", true);
    expect(h.status.phase).toBe("Healthy");
    expect(h.events.find((e) => e.reason === "GateOpened")).toMatchObject({
      at: "2025-01-01T00:00:05.000Z",
      message: 'confirm-rollout hook "ok" opened by hook ok: HTTP 200',
    });
  });

  it("a try the controller lost in a restart is asked for again with the same attempt number", () => {
    const h = started([{ name: "ok", type: "confirm-rollout", webhook: web }]);
    const again = h.reconcileOnce().actions.filter((a) => a.type === "runHook");
    expect(again).toMatchObject([{ key: "hook/ok", attempt: 1 }]);
  });

  it("a gate's timeout aborts, or continues when so configured", () => {
    const abort = started([{ name: "g", type: "confirm-rollout", manual: {}, timeout: { after: "1m" } }]);
    expect(abort.last?.wakeAt?.toISOString()).toBe("2025-01-01T00:01:00.000Z");
    abort.wake();
    expect(abort.status).toMatchObject({ phase: "Degraded", abort: true });
    expect(abort.status.conditions.find((c) => c.type === "Progressing")?.reason).toBe("GateTimedOut");

    const go = started([
      { name: "g", type: "confirm-rollout", manual: {}, timeout: { after: "1m", action: "continue" } },
    ]);
    go.wake();
    expect(go.status.phase).toBe("Healthy");
  });
});

describe("pre-rollout", () => {
  it("runs once the canary is ready and before it gets traffic; failures past failureLimit abort", () => {
    const h = started([{ name: "tests", type: "pre-rollout", webhook: web, failureLimit: 1, intervalSeconds: 1 }]);
    expect(h.replicas(2)).toBe(1);
    expect(h.weight(2)).toBe(0);
    expect(h.hookRuns).toHaveLength(1);
    h.answerHook("hook/tests", false);
    expect(h.status.abort).toBe(false);
    h.wake();
    h.answerHook("hook/tests", false);
    expect(h.status).toMatchObject({ abort: true, phase: "Degraded" });
    expect(h.status.conditions.find((c) => c.type === "Progressing")?.reason).toBe("PreRolloutHookFailed");
  });

  it("a success lets the steps run", () => {
    const h = started([{ name: "tests", type: "pre-rollout", webhook: web }]);
    h.answerHook("hook/tests", true);
    expect(h.status.phase).toBe("Healthy");
  });
});

describe("confirm-traffic-increase and confirm-promotion", () => {
  it("asks before each increase, keeping the previous weight, and before promotion", () => {
    const h = started([
      { name: "more", type: "confirm-traffic-increase", webhook: web },
      { name: "done", type: "confirm-promotion", webhook: web },
    ]);
    expect(h.weight(2)).toBe(0);
    expect(h.hookRuns.map((r) => r.key)).toEqual(["hook/more/0"]);
    h.answerHook("hook/more/0", true);
    expect(h.weight(2)).toBe(25);
    expect(h.hookRuns.at(-1)).toMatchObject({ key: "hook/more/1", step: 1, weight: 25 });
    h.answerHook("hook/more/1", true);
    expect(h.weight(2)).toBe(50);
    expect(h.status.phase).toBe("Paused");
    expect(h.hookRuns.at(-1)?.key).toBe("hook/done");
    h.answerHook("hook/done", true);
    expect(h.status.phase).toBe("Healthy");
    expect(h.status.gates).toBeUndefined(); // a finished rollout keeps no gates
  });
});

describe("rollback and rollout hooks", () => {
  it("a rollback hook that succeeds aborts the rollout", () => {
    const h = started([{ name: "rb", type: "rollback", webhook: web }], [{ setWeight: 25 }, { pause: {} }]);
    expect(h.status.phase).toBe("Paused");
    h.answerHook("hook/rb", false, "answered HTTP 404");
    expect(h.status.abort).toBe(false);
    h.advance(10_000);
    h.answerHook("hook/rb", true);
    expect(h.status.conditions.find((c) => c.type === "Progressing")?.reason).toBe("RollbackHook");
  });

  it("rollout hooks count failures only once the canary has traffic", () => {
    const h = started(
      [{ name: "chk", type: "rollout", webhook: web, failureLimit: 0 }],
      [{ setWeight: 25 }, { pause: {} }],
    );
    expect(h.hookRuns.map((r) => r.weight)).toEqual([25]);
    h.answerHook("hook/chk", false);
    expect(h.status.conditions.find((c) => c.type === "Progressing")?.reason).toBe("RolloutHookFailed");
  });
});

describe("gate steps and sluice gate open", () => {
  it("waits for a person; opening records who and why", () => {
    const h = started([], [{ setWeight: 25 }, { gate: { name: "qa" } }, { setWeight: 50 }, { pause: {} }]);
    expect(h.status.phase).toBe("Paused");
    expect(h.status.message).toContain("sluice gate open web --gate qa");
    expect(h.weight(2)).toBe(25);
    h.advance(3_600_000);
    expect(h.status.phase).toBe("Paused"); // no timeout: it waits
    h.command({ type: "openGate", by: "alice", reason: "QA signed off" });
    expect(h.gate("step/1")).toMatchObject({
      openedBy: "alice",
      reason: "QA signed off",
      waitingSince: "2025-01-01T00:00:00.000Z",
    });
    expect(h.weight(2)).toBe(50);
  });

  it("a waiting gate changes nothing in status as time passes (no write loop), and a gate step before promotion still lets confirm-promotion ask", () => {
    const h = started(
      [{ name: "ship", type: "confirm-promotion", manual: {} }],
      [{ setWeight: 25 }, { gate: { name: "qa" } }],
    );
    const before = structuredClone(h.status);
    h.now = new Date(h.now.getTime() + 1_000);
    expect(h.reconcileOnce().status).toEqual(before);
    h.command({ type: "openGate", by: "alice", gate: "qa" });
    expect(h.status.phase).toBe("Paused");
    expect(h.status.message).toContain('confirm-promotion hook "ship" (manual)');
    h.command({ type: "openGate", by: "bob", gate: "ship" });
    expect(h.status.phase).toBe("Healthy");
  });

  it("refuses with a one-line reason when no gate or another gate waits", () => {
    const h = started([], [{ setWeight: 25 }, { gate: { name: "qa" } }]);
    expect(() => h.command({ type: "openGate", by: "bob", gate: "other" })).toThrow(
      new EngineError('rollout "web" has no gate "other" waiting; waiting: qa'),
    );
    h.command({ type: "openGate", by: "bob" });
    expect(() => h.command({ type: "openGate", by: "bob" })).toThrow(/has no gate waiting/);
  });

  it("a manual confirm-promotion hook is opened the same way, and a retry asks again", () => {
    const h = started([{ name: "release-manager", type: "confirm-promotion", manual: {} }], [{ setWeight: 25 }]);
    expect(h.status.phase).toBe("Paused");
    h.command({ type: "abort" });
    h.command({ type: "retry" });
    expect((h.status.gates ?? []).every((g) => g.openedAt === undefined)).toBe(true);
    h.command({ type: "openGate", by: "carol", gate: "release-manager" });
    expect(h.status.phase).toBe("Healthy");
  });
});
