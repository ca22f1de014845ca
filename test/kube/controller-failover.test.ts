import { CoordinationV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { commandRollout } from "../../src/platform/kubernetes/commands.js";
import { type ControllerProcess, startControllerProcess } from "../helpers/controller-process.js";
import { type ControlPlane, startControlPlane } from "../helpers/kube.js";
import { applySluice, createNamespace, getSluice, installCrds, kubeRollout } from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";

type Status = { phase?: string; currentStepIndex?: number; pauseConditions?: { reason: string; startTime: string }[] };

describe.skipIf(skip)("sluice controller processes: crash and leader election", () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  const running: ControllerProcess[] = [];

  function startController(identity: string, extra: string[] = []): ControllerProcess {
    const c = startControllerProcess(cp.kubeconfigPath, { args: ["--identity", identity, ...extra] });
    running.push(c);
    return c;
  }
  const kill = (c: ControllerProcess) => c.kill();
  const status = async (ns: string, name: string) =>
    ((await getSluice(kc, ns, "Rollout", name)).status ?? {}) as Status;

  beforeAll(async () => {
    cp = await startControlPlane();
    kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    await installCrds(kc);
  }, 50 * 60_000);

  afterEach(async () => {
    for (const c of running.splice(0)) if (c.child.exitCode === null) await kill(c);
  });

  afterAll(async () => {
    await cp?.stop();
  });

  it("a controller killed mid-rollout is replaced by one that resumes at the same step and pause", async () => {
    const ns = await createNamespace(kc, "crash");
    const strategy = {
      canary: { steps: [{ setWeight: 20 }, { pause: { duration: "8s" } }, { setWeight: 60 }, { pause: {} }] },
    };
    const first = startController("first", ["--no-leader-elect", "-n", ns]);
    await applySluice(kc, ns, kubeRollout("api", "1", strategy, 2));
    await waitFor(async () => (await status(ns, "api")).phase === "Healthy", {
      timeoutMs: 90_000,
      message: "v1 Healthy",
    });
    await applySluice(kc, ns, kubeRollout("api", "2", strategy, 2));
    await waitFor(async () => (await status(ns, "api")).currentStepIndex === 1, {
      timeoutMs: 60_000,
      message: "in the timed pause",
    });
    const before = await status(ns, "api");
    const pauseStarted = before.pauseConditions?.find((p) => p.reason === "CanaryPauseStep")?.startTime;
    expect(pauseStarted).toBeDefined();

    await kill(first);
    const second = startController("second", ["--no-leader-elect", "-n", ns]);
    // The timed pause ends when the first controller said it would, not 8 s after the restart.
    await waitFor(async () => (await status(ns, "api")).currentStepIndex === 3, {
      timeoutMs: 60_000,
      message: "reached the last pause",
    });
    const after = await status(ns, "api");
    expect(after.phase).toBe("Paused");
    expect(Date.now() - Date.parse(pauseStarted as string)).toBeGreaterThanOrEqual(8_000 - 1_000);
    expect(second.output.join("")).toContain("leading");

    await commandRollout({ kc, namespace: ns }, "api", { type: "promote" });
    await waitFor(async () => (await status(ns, "api")).phase === "Healthy", {
      timeoutMs: 60_000,
      message: "v2 Healthy",
    });
  }, 240_000);

  it("two controllers: exactly one leads and writes; the other takes over when the leader dies", async () => {
    const ns = await createNamespace(kc, "leader");
    const lease = [
      "--lease-namespace",
      ns,
      "--lease-duration",
      "4",
      "--renew-deadline",
      "3",
      "--retry-period",
      "0.5",
      "-n",
      ns,
    ];
    const a = startController("ctl-a", lease);
    const b = startController("ctl-b", lease);
    const coordination = kc.makeApiClient(CoordinationV1Api);
    const holder = async () =>
      (await coordination.readNamespacedLease({ namespace: ns, name: "sluice-controller" })).spec?.holderIdentity;
    const leader = await waitFor(holder, { timeoutMs: 60_000, message: "a leader" });
    const [lead, standby] = leader === "ctl-a" ? [a, b] : [b, a];
    const standbyName = leader === "ctl-a" ? "ctl-b" : "ctl-a";

    const strategy = { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } };
    await applySluice(kc, ns, kubeRollout("web", "1", strategy, 2));
    await waitFor(async () => (await status(ns, "web")).phase === "Healthy", {
      timeoutMs: 90_000,
      message: "v1 Healthy",
    });

    // Every Event so far was written by the leader: the standby never acts.
    const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns });
    const sluiceEvents = events.items.filter((e) => e.reportingComponent === "sluice-controller");
    expect(sluiceEvents.length).toBeGreaterThan(0);
    expect(new Set(sluiceEvents.map((e) => e.reportingInstance))).toEqual(new Set([leader]));
    expect(standby.output.join("")).not.toContain("leading: reconciling");

    await kill(lead);
    const tookOverAt = Date.now();
    await waitFor(async () => (await holder()) === standbyName, {
      timeoutMs: 15_000,
      message: "standby holds the lease",
    });
    expect(Date.now() - tookOverAt).toBeLessThan(4_000 + 5_000);

    await applySluice(kc, ns, kubeRollout("web", "2", strategy, 2));
    await waitFor(async () => (await status(ns, "web")).phase === "Paused", {
      timeoutMs: 60_000,
      message: "the new leader rolls out v2",
    });
    const later = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns });
    const instances = new Set(
      later.items.filter((e) => e.reportingComponent === "sluice-controller").map((e) => e.reportingInstance),
    );
    expect(instances).toEqual(new Set([leader, standbyName]));
  }, 240_000);
});
