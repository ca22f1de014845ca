import { describe, expect, it } from "vitest";
import { NotFoundError, type Resource } from "../ports/control-plane.js";
import { canonicalJson, ResourceTable } from "./resources.js";
import { fakeClock, memoryDb } from "./test-db.js";

function rollout(name: string, image: string, status?: unknown): Resource {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name, labels: { team: "web" } },
    spec: { replicas: 2, template: { process: { command: image } } },
    ...(status === undefined ? {} : { status }),
  } as unknown as Resource;
}

function table() {
  const clock = fakeClock();
  return { clock, t: new ResourceTable(memoryDb(), clock.now) };
}

describe("ResourceTable", () => {
  it("round-trips a resource and fills in store-owned metadata", () => {
    const { t } = table();
    const stored = t.put(rollout("web", "v1", { phase: "Healthy" }));
    expect(stored).toEqual({
      apiVersion: "sluice.dev/v1alpha1",
      kind: "Rollout",
      metadata: {
        name: "web",
        labels: { team: "web" },
        generation: 1,
        resourceVersion: "1",
        creationTimestamp: "2025-01-01T00:00:00.000Z",
      },
      spec: { replicas: 2, template: { process: { command: "v1" } } },
      status: { phase: "Healthy" },
    });
    expect(t.get("Rollout", "web")).toEqual(stored);
    expect(t.get("AnalysisTemplate", "web")).toBeUndefined();
  });

  it("omits status when there is none", () => {
    const { t } = table();
    expect("status" in t.put(rollout("web", "v1"))).toBe(false);
  });

  it("bumps generation on a spec change only", () => {
    const { t, clock } = table();
    t.put(rollout("web", "v1"));
    clock.advance(1000);
    const statusOnly = t.put(rollout("web", "v1", { phase: "Paused" }));
    expect(statusOnly.metadata.generation).toBe(1);
    expect(statusOnly.metadata.resourceVersion).toBe("2");
    t.setStatus("Rollout", "web", { phase: "Healthy" });
    expect(t.get("Rollout", "web")?.metadata.generation).toBe(1);
    const changed = t.put(rollout("web", "v2"));
    expect(changed.metadata.generation).toBe(2);
    expect(changed.metadata.resourceVersion).toBe("4");
    // Creation time stays the first write's.
    expect(changed.metadata.creationTimestamp).toBe("2025-01-01T00:00:00.000Z");
  });

  it("does not count a reordering of keys as a spec change", () => {
    const { t } = table();
    t.put(rollout("web", "v1"));
    const reordered = rollout("web", "v1");
    reordered.spec = { template: { process: { command: "v1" } }, replicas: 2 } as never;
    expect(t.put(reordered).metadata.generation).toBe(1);
  });

  it("ignores generation and resourceVersion passed by the caller", () => {
    const { t } = table();
    const r = rollout("web", "v1");
    r.metadata.generation = 99;
    r.metadata.resourceVersion = "99";
    const stored = t.put(r);
    expect(stored.metadata.generation).toBe(1);
    expect(stored.metadata.resourceVersion).toBe("1");
  });

  it("lists by kind in name order and deletes", () => {
    const { t } = table();
    t.put(rollout("b", "v1"));
    t.put(rollout("a", "v1"));
    t.put({ ...rollout("c", "v1"), kind: "AnalysisTemplate" } as Resource);
    expect(t.list("Rollout").map((r) => r.metadata.name)).toEqual(["a", "b"]);
    expect(t.delete("Rollout", "a")).toBe(true);
    expect(t.delete("Rollout", "a")).toBe(false);
    expect(t.list("Rollout").map((r) => r.metadata.name)).toEqual(["b"]);
  });

  it("throws NotFoundError when setting the status of a missing resource", () => {
    const { t } = table();
    expect(() => t.setStatus("Rollout", "nope", {})).toThrow(NotFoundError);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every depth and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
  });
});
