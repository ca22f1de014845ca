import type { ChildProcess } from "node:child_process";
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { startControllerProcess } from "../helpers/controller-process.js";
import { type ControlPlane, startControlPlane } from "../helpers/kube.js";
import { applySluice, createNamespace, GROUP, installCrds, kubeRollout, VERSION } from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";
const CONTROLLER_SECRET = "controller-only-2b8e41";

type Measurement = { phase: string; value?: string; message?: string };
type Run = { status?: { phase?: string; metricResults?: { measurements?: Measurement[] }[] } };

// `sluice controller` as a process, whose environment holds a secret: a command metric without an
// image is refused unless --allow-local-commands, and even then sees none of that environment.
describe.skipIf(skip)("sluice controller --allow-local-commands", () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let child: ChildProcess | undefined;
  const output: string[] = [];

  beforeAll(async () => {
    cp = await startControlPlane();
    kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    await installCrds(kc);
  }, 50 * 60_000);
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    child = undefined;
  });
  afterAll(async () => {
    await cp?.stop();
  });

  const startController = (namespace: string, extra: string[]) => {
    const started = startControllerProcess(cp.kubeconfigPath, {
      args: ["-n", namespace, "--no-leader-elect", ...extra],
      env: { SLUICE_TEST_CONTROLLER_TOKEN: CONTROLLER_SECRET },
    });
    child = started.child;
    started.child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
    started.child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
  };

  /** Applies a command metric without an image and rolls v1 then v2; returns v2's measurement. */
  const measure = async (namespace: string): Promise<Measurement> => {
    await applySluice(kc, namespace, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "AnalysisTemplate",
      metadata: { name: "env" },
      spec: {
        metrics: [
          {
            name: "env",
            provider: {
              command: {
                command: [process.execPath, "-e", "console.log(JSON.stringify(process.env))"],
                env: [{ name: "MODE", value: "strict" }],
              },
            },
          },
        ],
      },
    });
    const strategy = { canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "env" }] } }] } };
    await applySluice(kc, namespace, kubeRollout("web", "1", strategy, 1));
    const custom = kc.makeApiClient(CustomObjectsApi);
    await waitFor(
      async () => {
        const r = (await custom.getNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: "rollouts",
          name: "web",
        })) as { status?: { phase?: string } };
        return r.status?.phase === "Healthy";
      },
      { timeoutMs: 90_000, message: "v1 Healthy" },
    );
    await applySluice(kc, namespace, kubeRollout("web", "2", strategy, 1));
    return waitFor(
      async () => {
        const runs = (await custom.listNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace,
          plural: "analysisruns",
        })) as { items: Run[] };
        return runs.items[0]?.status?.metricResults?.[0]?.measurements?.[0];
      },
      { timeoutMs: 90_000, intervalMs: 250, message: "the first measurement" },
    ).catch((err) => {
      throw new Error(`${(err as Error).message}; controller output:\n${output.join("")}`);
    });
  };

  it("refuses a command metric without an image by default: it never runs inside the controller", async () => {
    const ns = await createNamespace(kc, "refused");
    startController(ns, []);
    const m = await measure(ns);
    expect(m.phase).toBe("Error");
    expect(m.message).toMatch(/set provider\.command\.image .*--allow-local-commands/);
    expect(m.value).toBeUndefined();
  }, 240_000);

  it("runs it inside the controller with the flag, with PATH, HOME, LANG, TZ and the template's env only", async () => {
    const ns = await createNamespace(kc, "allowed");
    startController(ns, ["--allow-local-commands"]);
    const m = await measure(ns);
    expect(m.phase).toBe("Successful");
    const env = JSON.parse(m.value ?? "{}") as Record<string, string>;
    expect(env.MODE).toBe("strict");
    expect(Object.keys(env).filter((k) => !["PATH", "HOME", "LANG", "TZ", "MODE"].includes(k))).toEqual([]);
    expect(m.value).not.toContain(CONTROLLER_SECRET);
    expect(output.join("")).toContain("command metrics without an image run inside the controller");
  }, 240_000);
});

// Declared only when skipping, so a normal run reports no skipped test.
if (skip) {
  describe("sluice controller --allow-local-commands", () => {
    it.skip("skipped: binaries not built (run scripts/k8s/build.sh) and SLUICE_SKIP_KUBE=1", () => {});
  });
}
