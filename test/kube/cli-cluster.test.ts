import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { runSluice, SLUICE_BIN } from "../helpers/cli.js";
import { useKubeController } from "../helpers/kube-controller.js";
import { applySluice, createNamespace, getSluice, kubeRollout } from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";

describe.skipIf(skip)("the CLI's verbs against a cluster (--kubeconfig, -n)", () => {
  const env = useKubeController("cli-test");
  let dir: string;
  let ns: string;
  const sluice = (...args: string[]) => runSluice(["--kubeconfig", env.cp.kubeconfigPath, "-n", ns, ...args]);
  const phase = async () =>
    ((await getSluice(env.kc, ns, "Rollout", "web")).status as { phase?: string } | undefined)?.phase;

  beforeAll(async () => {
    ns = await createNamespace(env.kc, "cli");
    dir = await mkdtemp(join(tmpdir(), "sluice-cli-cluster-"));
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const strategy = { canary: { steps: [{ setWeight: 25 }, { pause: {} }] } };

  it("apply, get, promote, describe and abort work as they do locally", async () => {
    const v1 = join(dir, "web-v1.yaml");
    await writeFile(v1, stringify(kubeRollout("web", "1", strategy, 2)));
    const applied = await sluice("apply", "-f", v1);
    expect(applied.stderr).toBe("");
    expect(applied.stdout).toContain("rollout/web created");
    await waitFor(async () => (await phase()) === "Healthy", { timeoutMs: 60_000, message: "v1 Healthy" });

    const again = await sluice("apply", "-f", v1);
    expect(again.stdout).toContain("rollout/web unchanged");

    const list = await sluice("get", "rollouts");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/web\s+.*Healthy/);

    const v2 = join(dir, "web-v2.yaml");
    await writeFile(v2, stringify(kubeRollout("web", "2", strategy, 2)));
    expect((await sluice("apply", "-f", v2)).stdout).toContain("rollout/web configured");
    await waitFor(async () => (await phase()) === "Paused", { timeoutMs: 60_000, message: "v2 paused" });

    // `status --watch` follows the rollout through the cluster's watch until it settles.
    const watching = spawn(
      process.execPath,
      [SLUICE_BIN, "--kubeconfig", env.cp.kubeconfigPath, "-n", ns, "status", "web", "--watch", "--timeout", "90s"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let watched = "";
    watching.stdout.on("data", (d) => {
      watched += d;
    });
    const exited = new Promise<number | null>((resolve) => watching.once("exit", resolve));
    await waitFor(() => watched.includes("web: Paused"), { timeoutMs: 30_000, message: "status --watch shows Paused" });
    const promoted = await sluice("promote", "web");
    expect(promoted.code).toBe(0);
    expect(await exited).toBe(0);
    expect(watched).toMatch(/web: Paused[^\n]*\nweb: (Progressing|Healthy)/);
    expect(watched.trim().split("\n").at(-1)).toMatch(/^web: Healthy/);

    const described = await sluice("describe", "rollout", "web");
    expect(described.code).toBe(0);
    expect(described.stdout).toContain("CommandReceived");

    await writeFile(join(dir, "web-v3.yaml"), stringify(kubeRollout("web", "3", strategy, 2)));
    await sluice("apply", "-f", join(dir, "web-v3.yaml"));
    await waitFor(async () => (await phase()) === "Paused", { timeoutMs: 60_000, message: "v3 paused" });
    expect((await sluice("abort", "web")).code).toBe(0);
    await waitFor(async () => (await phase()) === "Degraded", { timeoutMs: 60_000, message: "v3 aborted" });
  }, 240_000);

  it("set image rolls out a new revision with the container's new image, recorded; an unknown container changes nothing", async () => {
    const image = async () =>
      (
        (await getSluice(env.kc, ns, "Rollout", "web")).spec as {
          template: { spec: { containers: { image: string }[] } };
        }
      ).template.spec.containers[0]?.image;
    const before = await image();
    const wrong = await sluice("set", "image", "web", "ap=registry.example/web:4");
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
    expect(wrong.stderr).toContain('has no container "ap"; its containers: app');
    expect(await image()).toBe(before);

    const set = await sluice("set", "image", "web", "app=registry.example/web:4");
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    expect(await image()).toBe("registry.example/web:4");
    await waitFor(async () => (await phase()) === "Paused", { timeoutMs: 60_000, message: "web:4 rolling out" });
    // Recorded with the Kubernetes user the kubeconfig authenticates as (the test harness's admin).
    const described = (await sluice("describe", "rollout", "web")).stdout;
    expect(described).toMatch(/set image app=registry\.example\/web:4 \(by [^)]+\)/);
    // What the canary changes, read back from the stable revision's ReplicaSet.
    expect(described).toMatch(/#\d+ canary \d+%\s+\w+\s+app: image registry\.example\/web:4/);
    expect(described).toMatch(/\n\s+app: image registry\.example\/web:\S+ → registry\.example\/web:4\n/);
  }, 120_000);

  it("set env changes every container's env on the cluster, recorded with the Kubernetes user", async () => {
    const envOf = async () =>
      (
        (await getSluice(env.kc, ns, "Rollout", "web")).spec as {
          template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } };
        }
      ).template.spec.containers[0]?.env ?? [];
    const set = await sluice("set", "env", "web", "GREETING=hello");
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    expect(await envOf()).toContainEqual({ name: "GREETING", value: "hello" });
    const described = (await sluice("describe", "rollout", "web")).stdout;
    // The event says who set which variable, never its value (env often carries secrets).
    expect(described).toMatch(/set env GREETING=\(hidden\) \(by [^)]+\)/);
    expect(described).not.toMatch(/GREETING=hello/);
  }, 120_000);

  it("terminate analysisrun sets spec.terminate on the run, recorded with the Kubernetes user; an unknown run is refused in one line", async () => {
    const run = {
      apiVersion: "sluice.dev/v1alpha1",
      kind: "AnalysisRun",
      metadata: { name: "manual-check" },
      spec: {
        metrics: [
          {
            name: "probe",
            provider: { web: { url: "http://127.0.0.1:9/health", jsonPath: "$.ok" } },
            interval: "30s",
            count: 100,
            successCondition: "result == true",
          },
        ],
      },
    };
    await applySluice(env.kc, ns, run);
    const ended = await sluice("terminate", "analysisrun", "manual-check", "--reason", "not needed");
    expect(ended.stderr).toBe("");
    expect(ended.code).toBe(0);
    const stored = await getSluice(env.kc, ns, "AnalysisRun", "manual-check");
    expect((stored.spec as { terminate?: boolean }).terminate).toBe(true);
    const events = await env.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns });
    const recorded = events.items.find(
      (e) => e.involvedObject.name === "manual-check" && e.reason === "CommandReceived",
    );
    expect(recorded?.message).toMatch(/^sluice terminate analysisrun manual-check: not needed \(by [^)]+\)$/);

    const missing = await sluice("terminate", "analysisrun", "no-such-run");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
  }, 60_000);

  it("refuses bad input with one line naming the file or the endpoint, and changes nothing", async () => {
    const bad = join(dir, "bad.yaml");
    const manifest = kubeRollout("broken", "1", { canary: { steps: [{ setWeight: 120 }] } });
    await writeFile(bad, stringify(manifest));
    const refused = await sluice("apply", "-f", bad);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/bad\.yaml.*setWeight.*100/);
    expect((await sluice("get", "rollouts")).stdout).not.toContain("broken");

    const process = join(dir, "process.yaml");
    await writeFile(
      process,
      stringify({
        apiVersion: "sluice.dev/v1alpha1",
        kind: "Rollout",
        metadata: { name: "local-only" },
        spec: { replicas: 1, template: { process: { command: "node", args: ["app.js"] } }, strategy },
      }),
    );
    const local = await sluice("apply", "-f", process);
    expect(local.code).not.toBe(0);
    expect(local.stderr).toMatch(/process\.yaml.*spec\.template\.process.*local platform/);

    const wrongNs = join(dir, "elsewhere.yaml");
    const valid = kubeRollout("x", "1", strategy);
    await writeFile(wrongNs, stringify({ ...valid, metadata: { name: "x", namespace: "production" } }));
    expect((await sluice("apply", "-f", wrongNs)).stderr).toMatch(/pass -n production/);

    const missing = await sluice("promote", "nope");
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Rollout "nope" not found');

    const unreachable = join(dir, "unreachable.kubeconfig");
    const config = new KubeConfig();
    config.loadFromFile(env.cp.kubeconfigPath);
    const cluster = config.getCurrentCluster();
    await writeFile(unreachable, config.exportConfig().replace(cluster?.server ?? "", "https://127.0.0.1:1"));
    const down = await runSluice(["--kubeconfig", unreachable, "-n", ns, "get", "rollouts"]);
    expect(down.code).not.toBe(0);
    expect(down.stderr.trim().split("\n")).toHaveLength(1);
    expect(down.stderr).toContain("127.0.0.1:1");

    const noFile = await runSluice(["--kubeconfig", join(dir, "missing.kubeconfig"), "get", "rollouts"]);
    expect(noFile.code).not.toBe(0);
    expect(noFile.stderr).toContain("missing.kubeconfig");
  }, 120_000);
});
