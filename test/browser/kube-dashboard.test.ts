import { type ChildProcess, spawn } from "node:child_process";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { SLUICE_BIN } from "../helpers/cli.js";
import { useKubeController } from "../helpers/kube-controller.js";
import { applySluice, createNamespace, kubeRollout } from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";
import { launch, newContext, screenshot, signIn } from "./helpers.js";

// `sluice dashboard --kubeconfig` against the test harness's real control plane: the CLI serves the
// dashboard on 127.0.0.1 over the cluster's resources with the kubeconfig's credentials.
const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";

describe.skipIf(skip)("sluice dashboard on a cluster", () => {
  const env = useKubeController("dashboard-test");
  let ns: string;
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  let output = "";

  beforeAll(async () => {
    ns = await createNamespace(env.kc, "dash");
    await applySluice(
      env.kc,
      ns,
      kubeRollout("web", "1", { canary: { steps: [{ setWeight: 25 }, { pause: {} }] } }, 2),
    );
    child = spawn(
      process.execPath,
      [SLUICE_BIN, "--kubeconfig", env.cp.kubeconfigPath, "-n", ns, "dashboard", "--listen", "127.0.0.1:0"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    browser = await launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once("exit", r));
      child.kill("SIGINT");
      await exited;
    }
  });

  it("prints an address and a token, and the page signed in with it lists the cluster's rollouts", async () => {
    const { url, token } = await waitFor(
      () => {
        if (child?.exitCode !== null) throw new Error(`sluice dashboard exited: ${output}`);
        const url = /Dashboard for \S+: (http:\/\/127\.0\.0\.1:\d+)\/dashboard\//.exec(output)?.[1];
        const token = /Sign in with this token[^:]*: (\S+)/.exec(output)?.[1];
        return url && token ? { url, token } : undefined;
      },
      { timeoutMs: 30_000, message: "sluice dashboard to print its address" },
    );
    const context = await newContext(browser as Browser);
    const page = await context.newPage();
    await signIn(page, url, token);
    await page.locator('tr[data-name="web"]').waitFor({ timeout: 30_000 });
    await screenshot(page, "kubernetes-overview");
    // Without the token nothing is served but the sign-in page.
    const anonymous = await fetch(`${url}/api/v1/rollouts`);
    expect(anonymous.status).toBe(401);
  });
});
