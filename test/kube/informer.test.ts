import { CoreV1Api, KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { type ChangeType, SupervisedInformer } from "../../src/platform/kubernetes/informer.js";
import { type ControlPlane, startControlPlane } from "../helpers/kube.js";
import { proxiedKubeConfig, startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";
import { waitFor } from "../helpers/wait.js";

// Skipping is opt-in and only for machines without the binaries, as in smoke.test.ts.
const cached = await findKubeAssets({ build: false });
const skip = !cached && process.env.SLUICE_SKIP_KUBE === "1";
const BUILD_TIMEOUT_MS = 50 * 60_000;

describe.skipIf(skip)("SupervisedInformer on a real API server", () => {
  let cp: ControlPlane;
  let core: CoreV1Api;
  let proxy: TcpProxy;
  let proxied: KubeConfig;
  const informers: SupervisedInformer<V1ConfigMap>[] = [];

  beforeAll(async () => {
    cp = await startControlPlane();
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(cp.server).port) });
    proxied = proxiedKubeConfig(kc, proxy);
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    for (const inf of informers) inf.stop();
    await proxy?.close();
    await cp?.stop();
  });

  /** An informer over the ConfigMaps of `namespace`, reached through the proxy, recording every change. */
  function configMapInformer(namespace: string, errors: unknown[] = []) {
    const proxiedCore = proxied.makeApiClient(CoreV1Api);
    const inf = new SupervisedInformer<V1ConfigMap>({
      kc: proxied,
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      list: () => proxiedCore.listNamespacedConfigMap({ namespace }),
      objectType: "V1ConfigMap",
      backoff: { initialMs: 200, maxMs: 1_000 },
      onError: (err) => errors.push(err),
    });
    informers.push(inf);
    const seen: { type: ChangeType; name: string; data: Record<string, string> | undefined }[] = [];
    inf.onChange((type, obj) => seen.push({ type, name: obj.metadata?.name ?? "", data: obj.data }));
    const saw = (type: ChangeType, name: string) => seen.some((s) => s.type === type && s.name === name);
    return { inf, seen, saw };
  }

  const createCm = (namespace: string, name: string, data: Record<string, string> = { v: "1" }) =>
    core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data } });
  const setCm = async (namespace: string, name: string, data: Record<string, string>) => {
    const current = await core.readNamespacedConfigMap({ name, namespace });
    await core.replaceNamespacedConfigMap({ name, namespace, body: { ...current, data } });
  };

  it("fills its cache from the first list, then sees adds, updates and deletes", async () => {
    const namespace = "informer-basic";
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await createCm(namespace, "before-start");
    const { inf, seen, saw } = configMapInformer(namespace);
    await inf.start();
    // kube-root-ca.crt may or may not be published yet, so look for ours by name.
    expect(inf.get("before-start", namespace)?.data).toEqual({ v: "1" });
    expect(saw("add", "before-start")).toBe(true);

    await createCm(namespace, "created");
    await waitFor(() => saw("add", "created"), { timeoutMs: 10_000, message: "add of created" });
    // Watch events are decoded like the typed list's items.
    expect(inf.get("created", namespace)?.metadata?.creationTimestamp).toBeInstanceOf(Date);

    await setCm(namespace, "created", { v: "2" });
    await waitFor(() => seen.some((s) => s.type === "update" && s.name === "created" && s.data?.v === "2"), {
      timeoutMs: 10_000,
      message: "update of created",
    });
    expect(inf.get("created", namespace)?.data).toEqual({ v: "2" });

    await core.deleteNamespacedConfigMap({ name: "before-start", namespace });
    await waitFor(() => saw("delete", "before-start"), { timeoutMs: 10_000, message: "delete of before-start" });
    expect(inf.get("before-start", namespace)).toBeUndefined();
    expect(inf.list(namespace).map((c) => c.metadata?.name)).toContain("created");
    expect(inf.restarts).toBe(0);
    inf.stop();
  });

  it("restarts after the connection to the API server breaks, and catches up on what it missed", async () => {
    const namespace = "informer-outage";
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (const name of ["kept", "doomed", "edited"]) await createCm(namespace, name);
    const errors: unknown[] = [];
    const { inf, seen, saw } = configMapInformer(namespace, errors);
    await inf.start();
    // A change seen over the watch proves the watch is up before we break it.
    await createCm(namespace, "watched");
    await waitFor(() => saw("add", "watched"), { timeoutMs: 10_000, message: "add of watched" });
    const before = inf.lastEventAt!.getTime();
    const seenBefore = seen.length;

    proxy.cut();
    try {
      await waitFor(() => inf.restarts > 0, { timeoutMs: 10_000, message: "a restart after the cut" });
      await createCm(namespace, "born");
      await core.deleteNamespacedConfigMap({ name: "doomed", namespace });
      await setCm(namespace, "edited", { v: "2" });
      // Wait out at least one failed relist, so recovery really goes through the backoff loop.
      const restarts = inf.restarts;
      await waitFor(() => inf.restarts > restarts, { timeoutMs: 10_000, message: "a failed retry during the outage" });
      expect(inf.get("born", namespace)).toBeUndefined();
      expect(inf.get("doomed", namespace)).toBeDefined();
      expect(seen.length).toBe(seenBefore);
    } finally {
      proxy.restore();
    }

    await waitFor(
      () =>
        inf.get("born", namespace) && !inf.get("doomed", namespace) && inf.get("edited", namespace)?.data?.v === "2",
      { timeoutMs: 20_000, message: "cache caught up after the outage" },
    );
    const after = seen.slice(seenBefore);
    expect(after).toContainEqual({ type: "add", name: "born", data: { v: "1" } });
    expect(after).toContainEqual({ type: "delete", name: "doomed", data: { v: "1" } });
    expect(after).toContainEqual({ type: "update", name: "edited", data: { v: "2" } });
    expect(after.some((s) => s.name === "kept")).toBe(false);
    expect(inf.restarts).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThanOrEqual(inf.restarts);
    expect(inf.lastEventAt!.getTime()).toBeGreaterThan(before);

    // The watch is live again, not just the relist.
    await createCm(namespace, "after-outage");
    await waitFor(() => saw("add", "after-outage"), { timeoutMs: 10_000, message: "add after the outage" });
    inf.stop();
  });
});

// Declared only when skipping, so a normal run reports no skipped test.
if (skip) {
  describe("SupervisedInformer on a real API server", () => {
    it.skip("skipped: binaries not built (run scripts/k8s/build.sh) and SLUICE_SKIP_KUBE=1", () => {});
  });
}
