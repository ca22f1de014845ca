import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll } from "vitest";
import { type KubeRuntime, startKubeRuntime } from "../../src/controller/kube-runtime.js";
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
 * controller starts (extra CRDs the test needs to be served first).
 *
 * @example
 * const env = useKubeController("hpa-test");
 * it("...", async () => { await applySluice(env.kc, ns, manifest); });
 */
export function useKubeController(
  identity: string,
  opts: { prepare?: (kc: KubeConfig) => Promise<void>; log?: (message: string) => void } = {},
): KubeControllerEnv {
  const env = {} as KubeControllerEnv;
  beforeAll(async () => {
    env.cp = await startControlPlane();
    env.kc = new KubeConfig();
    env.kc.loadFromFile(env.cp.kubeconfigPath);
    await installCrds(env.kc);
    await opts.prepare?.(env.kc);
    env.runtime = await startKubeRuntime({ kc: env.kc, identity, ...(opts.log ? { log: opts.log } : {}) });
  }, 50 * 60_000);
  afterAll(async () => {
    await env.runtime?.stop();
    await env.cp?.stop();
  });
  return env;
}
