import { describe, expect, it } from "vitest";
import { resolveIntOrPercent } from "./replicas.js";
import { EngineHarness, rolloutManifest, setVersion } from "./testing.js";

describe("rolling update (canary without steps)", () => {
  it.each([
    { replicas: 4, maxSurge: "25%", maxUnavailable: 0 },
    { replicas: 4, maxSurge: 0, maxUnavailable: 1 },
    { replicas: 5, maxSurge: 2, maxUnavailable: "20%" },
    { replicas: 3, maxSurge: "100%", maxUnavailable: 0 },
    { replicas: 1, maxSurge: 0, maxUnavailable: 0 },
  ])(
    "replicas $replicas, maxSurge $maxSurge, maxUnavailable $maxUnavailable",
    ({ replicas, maxSurge, maxUnavailable }) => {
      const h = new EngineHarness(rolloutManifest({ replicas, strategy: { canary: { maxSurge, maxUnavailable } } }));
      h.settle();
      h.update((s) => setVersion(s, "v2"));
      // update() settled already; replay reconcile by reconcile from the start to check every intermediate state.
      const g = new EngineHarness(rolloutManifest({ replicas, strategy: { canary: { maxSurge, maxUnavailable } } }));
      g.settle();
      const next = structuredClone(g.rollout);
      setVersion(next.spec, "v2");
      g.rollout = next;
      let surge = resolveIntOrPercent(maxSurge, replicas, true);
      const unavailable = resolveIntOrPercent(maxUnavailable, replicas, false);
      if (surge === 0 && unavailable === 0) surge = 1;
      const weightsSeen: number[] = [];
      for (let i = 0; i < 30 && (i === 0 || g.status.phase !== "Healthy"); i++) {
        g.step();
        const all = [...g.platform.values()];
        expect(all.reduce((n, r) => n + r.replicas, 0)).toBeLessThanOrEqual(replicas + surge);
        expect(all.reduce((n, r) => n + r.ready, 0)).toBeGreaterThanOrEqual(replicas - unavailable);
        const w = Object.values(g.traffic?.weights ?? {});
        expect(w.reduce((a, b) => a + b, 0)).toBe(100);
        weightsSeen.push(g.traffic?.weights[g.status.currentRevision ?? ""] ?? 0);
      }
      expect(g.status.phase).toBe("Healthy");
      expect([...g.platform.entries()]).toEqual([[g.hash(2), { replicas, ready: replicas }]]);
      expect(weightsSeen).toEqual([...weightsSeen].sort((a, b) => a - b)); // traffic only moves forward
      expect(weightsSeen.at(-1)).toBe(100);
      expect(h.status).toMatchObject({ phase: "Healthy", stableRevision: h.hash(2) });
      expect(h.reasons().slice(2)).toEqual(["RolloutStarted", "RolloutCompleted", "ScaledDown"]);
    },
  );

  it("traffic follows the ready replicas while the new revision is only partly ready", () => {
    const h = new EngineHarness(rolloutManifest({ replicas: 4, strategy: { canary: { maxSurge: 1 } } }));
    h.settle();
    h.readyCap[h.versionHash("v2")] = 1;
    h.update((s) => setVersion(s, "v2"));
    expect(h.weight(2)).toBe(25); // 1 new ready of 4 ready serving
    expect(h.status.phase).toBe("Progressing");
    h.setReadyCap(h.hash(2), undefined);
    expect(h.status.phase).toBe("Healthy");
  });

  it("a crash-looping new revision aborts and the old one is scaled back up", () => {
    const h = new EngineHarness(
      rolloutManifest({ replicas: 4, strategy: { canary: { maxSurge: 0, maxUnavailable: 2 } } }),
    );
    h.settle();
    const hash = h.versionHash("v2");
    h.readyCap[hash] = 0;
    h.update((s) => setVersion(s, "v2"));
    expect(h.replicas(1)).toBe(2);
    h.failures[hash] = { crashLooping: { message: "segfault" } };
    h.settle();
    expect(h.status.phase).toBe("Degraded");
    expect(h.replicas(1)).toBe(4);
    expect(h.weight(1)).toBe(100);
  });
});
