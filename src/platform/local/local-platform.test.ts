import { describe, expect, it } from "vitest";
import type { RevisionObservation } from "../../engine/types.js";
import { Rollout, type WorkloadTemplate } from "../../model/index.js";
import { LocalPlatform } from "./local-platform.js";
import type { RouterConfig } from "./router/config.js";

const rollout = (template: Record<string, unknown>) =>
  Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: { template, strategy: { canary: { steps: [] } } },
  });

// A supervisor stand-in that makes every ensured replica ready at once: this tests the
// platform's own bookkeeping, not process management (test/supervisor does that for real).
function fakes() {
  const replicas = new Map<string, number>();
  const sent: RouterConfig[] = [];
  const templates = new Map<string, WorkloadTemplate>();
  const platform = new LocalPlatform({
    supervisor: {
      ensure: (_r, rev, _t, n) => void replicas.set(rev, n),
      remove: async (_r, rev) => void replicas.delete(rev),
      observe: (): RevisionObservation[] => [...replicas].map(([hash, n]) => ({ hash, replicas: n, ready: n })),
      endpoints: () => [...replicas].map(([revision, n]) => ({ revision, endpoints: Array(n).fill("127.0.0.1:1") })),
    },
    router: {
      putConfig: async (c) => {
        sent.push(c);
        return {};
      },
    },
    templates: { get: (_r, h) => templates.get(h), put: (_r, h, t) => void templates.set(h, t) },
    previewListen: async () => "127.0.0.1:9999",
  });
  return { platform, replicas, sent, templates };
}

describe("LocalPlatform", () => {
  it("runs revisions and sends the router the whole table with a growing generation", async () => {
    const { platform, replicas, sent } = fakes();
    const r = rollout({ process: { command: "app" } });
    const template = r.spec.template;
    await platform.apply(r, [
      { type: "ensureRevision", hash: "a", template, replicas: 2 },
      { type: "setTraffic", traffic: { weights: { a: 100 }, headerRoutes: [], mirrorRoutes: [], preview: "a" } },
    ]);
    await platform.apply(r, [{ type: "scaleRevision", hash: "a", replicas: 3 }]);
    expect(replicas.get("a")).toBe(3);
    expect(sent.map((c) => c.generation)).toEqual([1, 2]);
    expect(sent[1]?.rollouts[0]).toMatchObject({ rollout: "web", default: true, previewListen: "127.0.0.1:9999" });
    expect(await platform.observe(r)).toEqual({ revisions: [{ hash: "a", replicas: 3, ready: 3 }] });

    await platform.remove(r);
    expect(sent.at(-1)?.rollouts).toEqual([]);
    expect(replicas.size).toBe(0);
  });

  it("runs a baseline from the stable revision's template under its own key, and remembers it", async () => {
    const { platform, replicas, templates } = fakes();
    const r = rollout({ process: { command: "app" } });
    await platform.apply(r, [{ type: "ensureRevision", hash: "a", template: r.spec.template, replicas: 2 }]);
    await platform.apply(r, [{ type: "scaleRevision", hash: "a-baseline", replicas: 1, copyOf: "a" }]);
    expect(replicas.get("a-baseline")).toBe(1);
    expect(templates.get("a-baseline")).toEqual(r.spec.template);
    await expect(
      platform.apply(r, [{ type: "scaleRevision", hash: "b-baseline", replicas: 1, copyOf: "b" }]),
    ).rejects.toThrow('revision b-baseline (a copy of revision b) of rollout "web" has no stored template');
  });

  it("refuses a Kubernetes pod template, at apply time and if one ever reaches it", async () => {
    const { platform } = fakes();
    const r = rollout({ spec: { containers: [{ name: "app", image: "web:1" }] } });
    expect(platform.admit(r)).toEqual([{ path: "spec.template", message: expect.stringMatching(/template\.process/) }]);
    await expect(
      platform.apply(r, [{ type: "ensureRevision", hash: "a", template: r.spec.template, replicas: 1 }]),
    ).rejects.toThrow(/template\.process/);
    expect(platform.admit(rollout({ process: { command: "app" } }))).toEqual([]);
  });

  it("turns a refused route into that rollout's traffic error, logged once, and leaves others alone", async () => {
    const errors: unknown[] = [];
    const changed: string[] = [];
    let refuse = true;
    const platform = new LocalPlatform({
      supervisor: { ensure: () => {}, remove: async () => {}, observe: () => [], endpoints: () => [] },
      router: {
        putConfig: async () => ({
          refused: refuse ? [{ rollout: "web", path: "traffic.headerRoutes[0]", message: 'invalid regex "("' }] : [],
        }),
      },
      templates: { get: () => undefined, put: () => {} },
      onError: (err) => errors.push(err),
      onRefusalChange: (rollout) => changed.push(rollout),
    });
    const web = rollout({ process: { command: "app" } });
    const api = Rollout.parse({ ...web, metadata: { name: "api" } });
    const traffic = { weights: { a: 100 }, headerRoutes: [], mirrorRoutes: [] };
    await platform.apply(api, [{ type: "setTraffic", traffic }]);
    await platform.apply(web, [{ type: "setTraffic", traffic }]);
    await platform.apply(web, [{ type: "setTraffic", traffic }]);
    await platform.sync();

    expect((await platform.observe(web)).trafficError).toEqual({
      message: expect.stringContaining('traffic.headerRoutes[0]: invalid regex "("'),
      refused: true,
    });
    expect((await platform.observe(api)).trafficError).toBeUndefined();
    expect(errors.map(String)).toEqual([expect.stringMatching(/RouteRefusedError: .*rollout "web"/)]);
    expect(changed).toEqual(["web"]);

    refuse = false;
    await platform.sync();
    expect((await platform.observe(web)).trafficError).toBeUndefined();
    expect(changed).toEqual(["web", "web"]);
  });
});
