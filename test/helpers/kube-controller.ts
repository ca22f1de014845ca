import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll } from "vitest";
import { type KubeRuntime, type KubeRuntimeOptions, startKubeRuntime } from "../../src/controller/kube-runtime.js";
import { type ControlPlane, startControlPlane } from "./kube.js";
import { installCrds } from "./kube-sluice.js";

/** What {@link useKubeController} gives a describe block, filled in once its beforeAll has run. */
export interface KubeControllerEnv {
  cp: ControlPlane;
  kc: KubeConfig;
  runtime: KubeRuntime;
}

/**
 * For the enclosing describe block: a test control plane with Sluice's CRDs and a running Sluice
 * controller, started before its tests and stopped after them. `prepare` runs before the
 * controller starts (extra CRDs the test needs to be served first); the other options go to the
 * controller.
 *
 * @example
 * const env = useKubeController("hpa-test");
 * it("...", async () => { await applySluice(env.kc, ns, manifest); });
 */
export function useKubeController(
  identity: string,
  opts: Omit<KubeRuntimeOptions, "kc" | "identity"> & { prepare?: (kc: KubeConfig) => Promise<void> } = {},
): KubeControllerEnv {
  const env = {} as KubeControllerEnv;
  beforeAll(async () => {
    env.cp = await startControlPlane();
    env.kc = new KubeConfig();
    env.kc.loadFromFile(env.cp.kubeconfigPath);
    await installCrds(env.kc);
    await opts.prepare?.(env.kc);
    const { prepare: _, ...runtimeOptions } = opts;
    env.runtime = await startKubeRuntime({ ...runtimeOptions, kc: env.kc, identity });
  }, 50 * 60_000);
  afterAll(async () => {
    await env.runtime?.stop();
    await env.cp?.stop();
  });
  return env;
}
