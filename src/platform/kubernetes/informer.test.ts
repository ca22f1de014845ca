import { createServer } from "node:net";
import { KubeConfig, type KubernetesListObject, type V1ConfigMap } from "@kubernetes/client-node";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { Backoff, diffList, InformerError, informerMetrics, SupervisedInformer } from "./informer.js";

const cm = (name: string, rv: string, namespace = "ns"): V1ConfigMap => ({
  metadata: { name, namespace, resourceVersion: rv },
});
const byKey = (items: V1ConfigMap[]) => new Map(items.map((o) => [`${o.metadata?.namespace}/${o.metadata?.name}`, o]));

/** A port on 127.0.0.1 that refuses connections, so every watch fails at once. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function kubeconfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server, skipTLSVerify: true }],
    users: [{ name: "u" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

async function until(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition did not hold in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("Backoff", () => {
  it("doubles from the initial delay up to the cap", () => {
    const b = new Backoff({ initialMs: 500, maxMs: 3_000, jitter: 0 });
    expect([0, 1, 2, 3, 4].map(() => b.failure(0))).toEqual([500, 1_000, 2_000, 3_000, 3_000]);
  });

  it("starts over after a healthy minute, but not after a shorter healthy spell", () => {
    const b = new Backoff({ initialMs: 100, maxMs: 10_000, jitter: 0 });
    b.failure(0);
    b.failure(0);
    b.healthy(1_000);
    expect(b.failure(30_000)).toBe(400);
    b.healthy(40_000);
    expect(b.failure(100_000)).toBe(100);
  });

  it("spreads delays by the jitter factor", () => {
    expect(new Backoff({ initialMs: 1_000, maxMs: 1_000, jitter: 0.2 }, () => 0).failure(0)).toBe(800);
    expect(new Backoff({ initialMs: 1_000, maxMs: 1_000, jitter: 0.2 }, () => 1).failure(0)).toBe(1_200);
  });
});

describe("diffList", () => {
  it("adds new keys, updates moved resourceVersions, deletes missing keys with their last object", () => {
    const before = byKey([cm("same", "1"), cm("changed", "2"), cm("gone", "3"), cm("same", "4", "other")]);
    const { after, changes } = diffList(before, [cm("same", "1"), cm("changed", "5"), cm("new", "6")]);
    expect(changes).toEqual([
      { type: "update", obj: cm("changed", "5") },
      { type: "add", obj: cm("new", "6") },
      { type: "delete", obj: cm("gone", "3") },
      { type: "delete", obj: cm("same", "4", "other") },
    ]);
    expect([...after.keys()]).toEqual(["ns/same", "ns/changed", "ns/new"]);
  });
});

describe("SupervisedInformer without an API server", () => {
  it("rejects start() with InformerError after the configured number of failed lists", async () => {
    let calls = 0;
    const inf = new SupervisedInformer<V1ConfigMap>({
      kc: kubeconfigFor(`http://127.0.0.1:${await refusedPort()}`),
      path: "/api/v1/namespaces/ns/configmaps",
      list: async () => {
        calls++;
        throw new Error("forbidden");
      },
      backoff: { initialMs: 1, maxMs: 5 },
    });
    const err = await inf.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InformerError);
    expect((err as InformerError).cause).toEqual(new Error("forbidden"));
    expect(calls).toBe(3);
  });

  it("gives up on a list that never answers", async () => {
    const inf = new SupervisedInformer<V1ConfigMap>({
      kc: kubeconfigFor(`http://127.0.0.1:${await refusedPort()}`),
      path: "/api/v1/namespaces/ns/configmaps",
      list: () => new Promise(() => {}),
      listTimeoutMs: 20,
      startAttempts: 1,
    });
    const err = await inf.start().catch((e: unknown) => e);
    expect((err as InformerError).cause).toBeInstanceOf(InformerError);
    expect(String((err as InformerError).cause)).toMatch(/took over 20 ms/);
  });

  it("restarts after failed watches and relists, emitting deletes and updates, and exports its health", async () => {
    let items = [cm("a", "1"), cm("b", "2")];
    let version = 10;
    const errors: unknown[] = [];
    const inf = new SupervisedInformer<V1ConfigMap>({
      kc: kubeconfigFor(`http://127.0.0.1:${await refusedPort()}`),
      path: "/api/v1/namespaces/ns/configmaps",
      list: async (): Promise<KubernetesListObject<V1ConfigMap>> => ({
        metadata: { resourceVersion: String(version++) },
        items,
      }),
      backoff: { initialMs: 5, maxMs: 20 },
      onError: (e) => errors.push(e),
    });
    const seen: string[] = [];
    inf.onChange((type, obj) => seen.push(`${type} ${obj.metadata?.name}@${obj.metadata?.resourceVersion}`));
    try {
      await inf.start();
      expect(inf.list("ns").map((o) => o.metadata?.name)).toEqual(["a", "b"]);
      expect(inf.list("elsewhere")).toEqual([]);
      expect(seen).toEqual(["add a@1", "add b@2"]);
      const firstEvent = inf.lastEventAt;
      expect(firstEvent).toBeInstanceOf(Date);

      items = [cm("a", "3"), cm("c", "4")];
      await until(() => seen.length >= 5);
      expect(seen.slice(2).sort()).toEqual(["add c@4", "delete b@2", "update a@3"]);
      expect(inf.get("b", "ns")).toBeUndefined();
      expect(inf.get("a", "ns")?.metadata?.resourceVersion).toBe("3");
      expect(inf.restarts).toBeGreaterThan(0);
      expect(errors.length).toBeGreaterThan(0);
      expect(inf.lastEventAt!.getTime()).toBeGreaterThanOrEqual(firstEvent!.getTime());

      const registry = new Registry();
      informerMetrics(registry, { configmaps: inf });
      const text = await registry.metrics();
      expect(text).toMatch(/sluice_informer_last_event_timestamp_seconds\{resource="configmaps"\} \d+\.?\d*/);
      const restarts = Number(/sluice_informer_restarts_total\{resource="configmaps"\} (\d+)/.exec(text)?.[1]);
      expect(restarts).toBeGreaterThan(0);
      expect(text).toContain('sluice_informer_objects{resource="configmaps"} 2');
    } finally {
      inf.stop();
    }
    const after = seen.length;
    items = [];
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.length).toBe(after);
  });
});
