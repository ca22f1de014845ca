import { ApiException, KubeConfig, type V1Pod, type V1ReplicaSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Action, TrafficSpec } from "../../engine/types.js";
import { Rollout } from "../../model/index.js";
import { PlatformError } from "../port.js";
import { achievedCanaryWeight, type CoreClient, KubernetesPlatform, type ReplicaSetClient } from "./kube-platform.js";
import { type RouterTargets, type TrafficRouter, TrafficRoutingError } from "./routers/port.js";

const template = { spec: { containers: [{ name: "app", image: "nginx:1" }] } };
const notFound = () => new ApiException(404, "Not Found", "{}", {});

function rollout(status?: unknown) {
  return Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", uid: "u-1" },
    spec: {
      replicas: 2,
      template,
      strategy: {
        canary: {
          stableService: "web-stable",
          canaryService: "web-canary",
          trafficRouting: { gatewayAPI: { httpRoute: "web" } },
        },
      },
    },
    ...(status ? { status } : {}),
  });
}

/** An in-memory API server for ReplicaSets, pods and Services. */
function fakeCluster() {
  const sets = new Map<string, V1ReplicaSet>();
  const pods: V1Pod[] = [];
  const calls: string[] = [];
  const evicted: string[] = [];
  const services: Record<string, Record<string, string>> = { "web-stable": {}, "web-canary": {} };
  let raceOnCreate = false;
  const apps: ReplicaSetClient = {
    listNamespacedReplicaSet: async () => ({ items: [...sets.values()] }),
    readNamespacedReplicaSet: async ({ name }) => {
      const rs = sets.get(name);
      if (!rs) throw notFound();
      return rs;
    },
    createNamespacedReplicaSet: async ({ body }) => {
      calls.push(`create ${body.metadata?.name}`);
      if (raceOnCreate) {
        sets.set(body.metadata!.name!, structuredClone(body));
        throw new ApiException(409, "Conflict", "{}", {});
      }
      sets.set(body.metadata!.name!, structuredClone(body));
      return body;
    },
    patchNamespacedReplicaSet: async ({ name, body }) => {
      calls.push(`patch ${name} ${JSON.stringify(body)}`);
      const rs = sets.get(name)!;
      Object.assign(rs.spec!, (body as { spec: object }).spec);
      return rs;
    },
    deleteNamespacedReplicaSet: async ({ name, propagationPolicy }) => {
      calls.push(`delete ${name} ${propagationPolicy}`);
      if (!sets.delete(name)) throw notFound();
      return {};
    },
  };
  const core: CoreClient = {
    listNamespacedPod: async ({ labelSelector }) => ({
      items: pods.filter((p) =>
        (labelSelector ?? "").split(",").every((kv) => {
          const [k, v] = kv.split("=");
          return p.metadata?.labels?.[k!] === v;
        }),
      ),
    }),
    patchNamespacedService: async ({ name, body }) => {
      const svc = services[name];
      if (!svc) throw notFound();
      Object.assign(svc, (body as { spec: { selector: Record<string, string> } }).spec.selector);
      return {};
    },
    createNamespacedPodEviction: async ({ name }) => {
      evicted.push(name);
      return {};
    },
  };
  return {
    sets,
    pods,
    calls,
    evicted,
    services,
    apps,
    core,
    race: () => {
      raceOnCreate = true;
    },
  };
}

class FakeRouter implements TrafficRouter {
  readonly name = "gatewayAPI";
  calls: string[] = [];
  failWith: Error | undefined;
  private record(what: string, targets: RouterTargets) {
    if (this.failWith) throw this.failWith;
    this.calls.push(`${what} ${targets.stableHash}/${targets.canaryHash}`);
  }
  async setWeight(t: RouterTargets, w: number) {
    this.record(`weight=${w}`, t);
  }
  async setHeaderRoutes(t: RouterTargets, routes: { name: string }[]) {
    this.record(`headers=${routes.map((r) => r.name).join("|")}`, t);
  }
  async setMirrorRoutes(t: RouterTargets, routes: { name: string }[]) {
    this.record(`mirrors=${routes.map((r) => r.name).join("|")}`, t);
  }
  async removeManagedRoutes(t: RouterTargets) {
    this.record("remove", t);
  }
  async verifyWeight() {
    return undefined;
  }
}

function platform(router?: TrafficRouter) {
  const cluster = fakeCluster();
  const p = new KubernetesPlatform({
    kc: new KubeConfig(),
    namespace: "shop",
    clients: { apps: cluster.apps, core: cluster.core },
    ...(router ? { routerFor: () => router } : {}),
  });
  return { p, cluster };
}

const ensure = (hash: string, replicas: number, restartAt?: string): Action => ({
  type: "ensureRevision",
  hash,
  template,
  replicas,
  ...(restartAt ? { restartAt } : {}),
});

describe("KubernetesPlatform.apply on ReplicaSets", () => {
  it("creates a missing ReplicaSet once, then scales it only when the count differs", async () => {
    const { p, cluster } = platform();
    await p.apply(rollout(), [ensure("h1", 2)]);
    await p.apply(rollout(), [ensure("h1", 2)]);
    expect(cluster.calls).toEqual(["create web-h1"]);
    expect(cluster.sets.get("web-h1")?.metadata?.ownerReferences?.[0]?.uid).toBe("u-1");
    await p.apply(rollout(), [{ type: "scaleRevision", hash: "h1", replicas: 3 }]);
    expect(cluster.calls[1]).toBe('patch web-h1 {"spec":{"replicas":3,"minReadySeconds":0}}');
    expect(cluster.sets.get("web-h1")?.spec?.replicas).toBe(3);
  });

  it("takes a ReplicaSet another reconcile created first (AlreadyExists) and goes on", async () => {
    const { p, cluster } = platform();
    cluster.race();
    await p.apply(rollout(), [ensure("h1", 2)]);
    expect(cluster.sets.get("web-h1")?.spec?.replicas).toBe(2);
  });

  it("scaling a revision without a ReplicaSet fails with the action, unless to zero", async () => {
    const { p } = platform();
    await p.apply(rollout(), [{ type: "scaleRevision", hash: "gone", replicas: 0 }]);
    const action: Action = { type: "scaleRevision", hash: "gone", replicas: 2 };
    const err = await p.apply(rollout(), [action]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as PlatformError).action).toBe(action);
    expect((err as Error).message).toContain("shop/web-gone");
  });

  it("deletes a revision in the background and treats an already deleted one as done", async () => {
    const { p, cluster } = platform();
    await p.apply(rollout(), [ensure("h1", 1), { type: "deleteRevision", hash: "h1" }]);
    await p.apply(rollout(), [{ type: "deleteRevision", hash: "h1" }]);
    expect(cluster.calls.slice(1)).toEqual(["delete web-h1 Background", "delete web-h1 Background"]);
    expect(cluster.sets.size).toBe(0);
  });

  it("wraps API failures in a PlatformError that carries the action and the cause", async () => {
    const { p, cluster } = platform();
    const boom = new ApiException(500, "Internal", JSON.stringify({ message: "etcd is down" }), {});
    cluster.apps.readNamespacedReplicaSet = async () => {
      throw boom;
    };
    const err = (await p.apply(rollout(), [ensure("h1", 1)]).catch((e: unknown) => e)) as PlatformError;
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.message).toBe("rollout shop/web: ensureRevision: 500 etcd is down");
    expect(err.cause).toBe(boom);
  });

  it("evicts one pod older than restartAt per call, only while the revision is whole", async () => {
    const { p, cluster } = platform();
    await p.apply(rollout(), [ensure("h1", 2)]);
    const rs = cluster.sets.get("web-h1")!;
    const labels = { "sluice.dev/rollout": "web", "sluice.dev/pod-template-hash": "h1" };
    cluster.pods.push(
      { metadata: { name: "web-h1-b", labels, creationTimestamp: new Date("2025-01-01T10:00:00Z") } },
      { metadata: { name: "web-h1-a", labels, creationTimestamp: new Date("2025-01-01T09:00:00Z") } },
    );
    rs.status = { replicas: 2, availableReplicas: 1 };
    await p.apply(rollout(), [ensure("h1", 2, "2025-01-01T11:00:00Z")]);
    expect(cluster.evicted).toEqual([]);
    rs.status = { replicas: 2, availableReplicas: 2 };
    await p.apply(rollout(), [{ type: "scaleRevision", hash: "h1", replicas: 2, restartAt: "2025-01-01T11:00:00Z" }]);
    expect(cluster.evicted).toEqual(["web-h1-a"]);
  });
});

describe("KubernetesPlatform.apply with informer caches", () => {
  it("scales from the cached ReplicaSet without reading it, and calls nothing when it already matches", async () => {
    const cluster = fakeCluster();
    const reads = { count: 0 };
    const apps = {
      ...cluster.apps,
      readNamespacedReplicaSet: async (args: { name: string; namespace: string }) => {
        reads.count += 1;
        return cluster.apps.readNamespacedReplicaSet(args);
      },
    };
    const cached = {
      list: () => [...cluster.sets.values()] as never[],
      get: (name: string) => cluster.sets.get(name) as never,
    };
    const p = new KubernetesPlatform({
      kc: new KubeConfig(),
      namespace: "shop",
      clients: { apps: apps as typeof cluster.apps, core: cluster.core },
      caches: { replicaSets: cached, pods: { list: () => [] } },
    });
    // Not in the cache yet: read from the server (404), then created.
    await p.apply(rollout(), [ensure("h1", 2)]);
    expect(reads.count).toBe(1);
    cluster.calls.length = 0;
    await p.apply(rollout(), [{ type: "scaleRevision", hash: "h1", replicas: 2 }]);
    await p.apply(rollout(), [{ type: "scaleRevision", hash: "h1", replicas: 3 }]);
    expect(reads.count).toBe(1);
    expect(cluster.calls).toEqual(['patch web-h1 {"spec":{"replicas":3,"minReadySeconds":0}}']);
  });
});

describe("KubernetesPlatform.observe and templates", () => {
  it("reads informer caches instead of listing when it has them, and only this rollout's objects", async () => {
    const labels = (rolloutName: string, hash: string) => ({
      "sluice.dev/rollout": rolloutName,
      "sluice.dev/pod-template-hash": hash,
    });
    const sets = [
      {
        metadata: { name: "web-h1", namespace: "shop", labels: labels("web", "h1") },
        status: { replicas: 2, availableReplicas: 1 },
      },
      {
        metadata: { name: "api-h9", namespace: "shop", labels: labels("api", "h9") },
        status: { replicas: 5, availableReplicas: 5 },
      },
    ];
    const seen: (string | undefined)[] = [];
    const cache = (items: object[]) => ({
      list: (namespace?: string) => {
        seen.push(namespace);
        return items as never[];
      },
      get: () => undefined,
    });
    const cluster = fakeCluster();
    const listed = { count: 0 };
    const apps = {
      ...cluster.apps,
      listNamespacedReplicaSet: async () => {
        listed.count += 1;
        return { items: [] };
      },
    };
    const p = new KubernetesPlatform({
      kc: new KubeConfig(),
      namespace: "shop",
      clients: { apps: apps as typeof cluster.apps, core: cluster.core },
      caches: { replicaSets: cache(sets), pods: cache([]) },
    });
    expect((await p.observe(rollout())).revisions).toEqual([{ hash: "h1", replicas: 2, ready: 1 }]);
    expect(listed.count).toBe(0);
    expect(seen).toEqual(["shop", "shop"]);
  });

  it("reports each revision from its ReplicaSet status and its own pods", async () => {
    const { p, cluster } = platform();
    await p.apply(rollout(), [ensure("h1", 2), ensure("h2", 1)]);
    cluster.sets.get("web-h1")!.status = { replicas: 2, availableReplicas: 2 };
    cluster.sets.get("web-h2")!.status = { replicas: 1, availableReplicas: 0 };
    cluster.pods.push({
      metadata: { name: "web-h2-x", labels: { "sluice.dev/rollout": "web", "sluice.dev/pod-template-hash": "h2" } },
      status: {
        containerStatuses: [
          {
            name: "app",
            image: "bad",
            imageID: "",
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: "ImagePullBackOff", message: "pull failed" } },
          },
        ],
      },
    });
    const obs = await p.observe(rollout());
    expect(obs.revisions).toEqual([
      { hash: "h1", replicas: 2, ready: 2 },
      {
        hash: "h2",
        replicas: 1,
        ready: 0,
        neverReady: { message: "pod web-h2-x container app: ImagePullBackOff: pull failed" },
      },
    ]);
    expect(await p.templates(rollout())).toEqual({ h1: template, h2: template });
  });

  it("remove deletes every ReplicaSet of the rollout", async () => {
    const { p, cluster } = platform();
    await p.apply(rollout(), [ensure("h1", 1), ensure("h2", 1)]);
    await p.remove(rollout());
    expect(cluster.sets.size).toBe(0);
  });
});

describe("KubernetesPlatform.apply setTraffic", () => {
  const canaryStatus = {
    stableRevision: "s1",
    currentRevision: "c1",
    revisions: [
      { hash: "s1", number: 1, role: "stable", replicas: 2, weight: 80 },
      { hash: "c1", number: 2, role: "canary", replicas: 1, weight: 20 },
    ],
  };
  const split: TrafficSpec = {
    weights: { s1: 80, c1: 20 },
    headerRoutes: [{ name: "beta", revision: "c1", match: [{ headerName: "x-beta" }] }],
    mirrorRoutes: [{ name: "shadow", revision: "c1", match: [], percentage: 10 }],
  };

  it("points the Services, then gives the router the canary's weight and routes", async () => {
    const router = new FakeRouter();
    const { p, cluster } = platform(router);
    await p.apply(rollout(canaryStatus), [{ type: "setTraffic", traffic: split }]);
    expect(cluster.services["web-stable"]).toEqual({ "sluice.dev/pod-template-hash": "s1" });
    expect(cluster.services["web-canary"]).toEqual({ "sluice.dev/pod-template-hash": "c1" });
    expect(router.calls).toEqual(["weight=20 s1/c1", "headers=beta s1/c1", "mirrors=shadow s1/c1"]);
  });

  it("removes the managed routes once only stable runs", async () => {
    const router = new FakeRouter();
    const { p, cluster } = platform(router);
    const healthy = { stableRevision: "c1", currentRevision: "c1", revisions: [canaryStatus.revisions[1]] };
    const all: TrafficSpec = { weights: { c1: 100 }, headerRoutes: [], mirrorRoutes: [] };
    await p.apply(rollout({ ...healthy, revisions: [{ ...canaryStatus.revisions[1], role: "stable" }] }), [
      { type: "setTraffic", traffic: all },
    ]);
    expect(router.calls).toEqual(["remove c1/c1"]);
    expect(cluster.services["web-canary"]).toEqual({ "sluice.dev/pod-template-hash": "c1" });
  });

  it("records a router failure, rethrows it as a PlatformError, and clears it on the next success", async () => {
    const router = new FakeRouter();
    const { p } = platform(router);
    const r = rollout(canaryStatus);
    router.failWith = new TrafficRoutingError("HTTPRoute shop/web not found", "gatewayAPI");
    const err = (await p.apply(r, [{ type: "setTraffic", traffic: split }]).catch((e: unknown) => e)) as PlatformError;
    expect(err).toBeInstanceOf(PlatformError);
    expect(err.cause).toBe(router.failWith);
    expect(err.action?.type).toBe("setTraffic");
    expect(p.trafficError(r)).toBe("traffic router gatewayAPI: HTTPRoute shop/web not found");
    expect((await p.observe(r)).trafficError).toEqual({
      message: "traffic router gatewayAPI: HTTPRoute shop/web not found",
    });
    router.failWith = undefined;
    await p.apply(r, [{ type: "setTraffic", traffic: split }]);
    expect(p.trafficError(r)).toBeUndefined();
    expect((await p.observe(r)).trafficError).toBeUndefined();
  });

  it("a missing Service is named with the field that refers to it", async () => {
    const { p, cluster } = platform();
    delete cluster.services["web-stable"];
    await expect(p.apply(rollout(canaryStatus), [{ type: "setTraffic", traffic: split }])).rejects.toThrow(
      /Service shop\/web-stable not found; spec\.strategy\.canary\.stableService/,
    );
  });
});

describe("achievedCanaryWeight", () => {
  it("is the canary's share of ready replicas, as an integer percent", () => {
    const obs = (a: number, b: number) => ({
      revisions: [
        { hash: "s", replicas: a, ready: a },
        { hash: "c", replicas: b, ready: b },
      ],
    });
    expect(achievedCanaryWeight(obs(2, 1), "c")).toBe(33);
    expect(achievedCanaryWeight(obs(1, 1), "c")).toBe(50);
    expect(achievedCanaryWeight(obs(0, 0), "c")).toBe(0);
    expect(achievedCanaryWeight(obs(3, 0), "missing")).toBe(0);
  });
});
