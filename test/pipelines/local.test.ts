import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, ApiClientError } from "../../src/api/client.js";
import type { Rollout } from "../../src/model/index.js";
import type { RecordedEntry } from "../../src/ports/control-plane.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, waitForRollout } from "../helpers/rollouts.js";
import { sample } from "../helpers/traffic.js";
import { waitFor } from "../helpers/wait.js";

// Real processes end to end: `sluice up`, the router, demo-app replicas per stage, releases moving
// through stages by the controller's pipeline loop, people acting through the API with named tokens.

const canary = { canary: { steps: [{ setWeight: 50 }], scaleDownDelaySeconds: 0 } };
const blueGreen = { blueGreen: { autoPromotionEnabled: true, scaleDownDelaySeconds: 0 } };

/** A stage rollout whose steps run an analysis: an integration test that passes unless `failFile` exists. */
function gatedCanary(template: string) {
  return { canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: template }] } }] } };
}

function integrationTemplate(name: string, failFile: string) {
  const script = `process.exit(require("node:fs").existsSync(${JSON.stringify(failFile)}) ? 1 : 0)`;
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name },
    spec: {
      metrics: [
        {
          name: "integration",
          successCondition: "result == true",
          provider: { command: { command: [process.execPath, "-e", script], result: "exitCode" } },
        },
      ],
    },
  };
}

const pipeline = (name: string, stages: unknown[], onFailure = "leave") => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Pipeline",
  metadata: { name },
  spec: { onFailure, stages },
});

const release = (pipelineName: string, name: string, version: string) => ({
  metadata: { name },
  spec: { pipeline: pipelineName, env: [{ name: "VERSION", value: version }] },
});

async function record(api: ApiClient, name: string): Promise<RecordedEntry[]> {
  return api.get<RecordedEntry[]>(`/pipelines/${name}/record`);
}

function has(entries: RecordedEntry[], type: string, release: string, stage?: string): boolean {
  return entries.some((e) => e.type === type && e.release === release && (stage === undefined || e.stage === stage));
}

async function waitForEntry(api: ApiClient, name: string, type: string, rel: string, stage?: string) {
  return waitFor(async () => has(await record(api, name), type, rel, stage), {
    timeoutMs: 90_000,
    intervalMs: 200,
    message: `${type} ${rel}${stage ? ` in ${stage}` : ""}`,
  });
}

/**
 * Waits until the router sends every request for `host` to `version`. Status is committed before the
 * router is told, so the last requests of the old split may still arrive just after Healthy.
 */
async function servesOnly(routerUrl: string, host: string, version: string) {
  await waitFor(
    async () => {
      const { versions } = await sample(routerUrl, 20, { headers: { host } });
      return versions[version] === 20;
    },
    { timeoutMs: 15_000, intervalMs: 200, message: `${host} serving only ${version}` },
  );
}

async function tokenFor(api: ApiClient, name: string, role: string, url: string): Promise<ApiClient> {
  const { token } = await api.post<{ token: string }>("/tokens", { name, role });
  return new ApiClient(url, token);
}

async function refusal(p: Promise<unknown>): Promise<ApiClientError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApiClientError)) throw new Error(`expected the API to refuse, got ${String(err)}`);
  return err;
}

describe("pipelines on the local platform", () => {
  const c = new ControllerProcess();
  const scratch = mkdtempSync(path.join(os.tmpdir(), "sluice-pipeline-"));
  const apiUrl = () => (JSON.parse(readFileSync(path.join(c.stateDir, "api.json"), "utf8")) as { url: string }).url;
  beforeAll(() => c.start());
  afterAll(async () => {
    await c.destroy();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("promotes a release through three stages behind an approval that survives a controller kill -9", async () => {
    await c.api.post("/apply", {
      resources: [
        demoRollout("shop-canary", { VERSION: "1.0" }, canary, 1),
        demoRollout("shop-staging", { VERSION: "1.0" }, canary, 1),
        demoRollout("shop-prod", { VERSION: "1.0" }, blueGreen, 1),
        pipeline("shop", [
          { name: "canary", rollout: "shop-canary" },
          { name: "staging", rollout: "shop-staging", soak: "1s" },
          {
            name: "prod",
            rollout: "shop-prod",
            approval: { required: 1, from: { roles: ["approver"] }, timeout: "1h" },
          },
        ]),
      ],
    });
    const operator = await tokenFor(c.api, "ci-bot", "operator", apiUrl());
    await operator.post("/releases", release("shop", "v2", "2.0"));
    await waitForEntry(c.api, "shop", "ApprovalRequested", "v2", "prod");
    const entries = await record(c.api, "shop");
    expect(has(entries, "Healthy", "v2", "canary") && has(entries, "Healthy", "v2", "staging")).toBe(true);
    expect(has(entries, "Promoted", "v2", "prod")).toBe(false);

    // Only approvers approve: the operator who shipped the release cannot sign it off.
    const denied = await refusal(
      operator.post("/pipelines/shop/approve", { stage: "prod", release: "v2", reason: "mine" }),
    );
    expect(denied.status).toBe(403);
    expect(denied.message).toMatch(/needs role approver/);

    // The controller dies while the request waits; the request and the record are still there after.
    await c.kill9();
    await c.start();
    const alice = await tokenFor(c.api, "alice", "approver", apiUrl());
    const approved = await alice.post<RecordedEntry>("/pipelines/shop/approve", {
      stage: "prod",
      release: "v2",
      reason: "load test looked fine",
    });
    expect(approved).toMatchObject({ type: "Approved", actor: "alice", reason: "load test looked fine" });
    const twice = await refusal(
      alice.post("/pipelines/shop/approve", { stage: "prod", release: "v2", reason: "again" }),
    );
    expect(twice.status).toBe(409);

    await waitForRollout(
      c.api,
      "shop-prod",
      (r) => r.status?.phase === "Healthy" && r.spec.template.metadata?.annotations?.["sluice.dev/release"] === "v2",
      { timeoutMs: 90_000, message: "prod Healthy on v2" },
    );
    await servesOnly(c.routerUrl, "shop-prod", "2.0");
    await waitForEntry(c.api, "shop", "Healthy", "v2", "prod");
    const final = await record(c.api, "shop");
    for (const stage of ["canary", "staging", "prod"])
      expect(final.filter((e) => e.type === "Promoted" && e.release === "v2" && e.stage === stage)).toHaveLength(1);
    const release2 = await c.api.get<{ metadata: { annotations: Record<string, string> } }>("/releases/v2");
    expect(release2.metadata.annotations["sluice.dev/created-by"]).toBe("ci-bot");
  });

  for (const onFailure of ["leave", "rollbackEarlier"] as const)
    it(`rejects a release that fails in the middle stage (onFailure: ${onFailure})`, async () => {
      const p = `mid-${onFailure.toLowerCase()}`;
      const failFile = path.join(scratch, `${p}-fail`);
      await c.api.post("/apply", {
        resources: [
          integrationTemplate(`${p}-it`, failFile),
          demoRollout(`${p}-a`, { VERSION: "1.0" }, canary, 1),
          demoRollout(`${p}-b`, { VERSION: "1.0" }, gatedCanary(`${p}-it`), 1),
          demoRollout(`${p}-c`, { VERSION: "1.0" }, canary, 1),
          pipeline(
            p,
            [
              { name: "a", rollout: `${p}-a` },
              { name: "b", rollout: `${p}-b` },
              { name: "c", rollout: `${p}-c` },
            ],
            onFailure,
          ),
        ],
      });
      const good = `${p}-good`;
      const bad = `${p}-bad`;
      await c.api.post("/releases", release(p, good, "2.0"));
      await waitForEntry(c.api, p, "Healthy", good, "c");

      writeFileSync(failFile, "the integration suite fails from now on");
      expect(existsSync(failFile)).toBe(true);
      await c.api.post("/releases", release(p, bad, "2.1"));
      await waitForEntry(c.api, p, "Rejected", bad);
      const entries = await record(c.api, p);
      expect(has(entries, "Failed", bad, "b")).toBe(true);
      expect(has(entries, "Promoted", bad, "c")).toBe(false);
      const cRollout = await c.api.get<Rollout>(`/rollouts/${p}-c`);
      expect(cRollout.spec.template.metadata?.annotations?.["sluice.dev/release"]).toBe(good);

      const a = (await c.api.get<Rollout>(`/rollouts/${p}-a`)).spec.template.metadata?.annotations?.[
        "sluice.dev/release"
      ];
      if (onFailure === "leave") expect(a).toBe(bad);
      else {
        await waitForEntry(c.api, p, "RolledBack", good, "a");
        await waitForRollout(
          c.api,
          `${p}-a`,
          (r) =>
            r.status?.phase === "Healthy" && r.spec.template.metadata?.annotations?.["sluice.dev/release"] === good,
          { timeoutMs: 90_000, message: "stage a back on good" },
        );
      }

      // A person cannot push the rejected release on by hand either.
      const pushed = await refusal(c.api.post(`/pipelines/${p}/promote`, { stage: "c", release: bad, reason: "yolo" }));
      expect(pushed.status).toBe(409);
      expect(pushed.message).toMatch(/rejected/);
    });

  it("rolls a stage back when a person promotes an older good release: the very revision it ran before", async () => {
    await c.api.post("/apply", {
      resources: [
        demoRollout("back-a", { VERSION: "1.0" }, canary, 1),
        demoRollout("back-b", { VERSION: "1.0" }, canary, 1),
        pipeline("back", [
          { name: "a", rollout: "back-a" },
          { name: "b", rollout: "back-b" },
        ]),
      ],
    });
    const onRelease = (name: string) => (r: Rollout) =>
      r.status?.phase === "Healthy" && r.spec.template.metadata?.annotations?.["sluice.dev/release"] === name;
    await c.api.post("/releases", {
      metadata: { name: "back-v2" },
      spec: {
        pipeline: "back",
        env: [
          { name: "VERSION", value: "2.0" },
          { name: "ONLY_V2", value: "x" },
        ],
      },
    });
    const v2 = await waitForRollout(c.api, "back-b", onRelease("back-v2"), { timeoutMs: 90_000 });
    await c.api.post("/releases", {
      metadata: { name: "back-v3" },
      spec: {
        pipeline: "back",
        env: [
          { name: "VERSION", value: "3.0" },
          { name: "ONLY_V3", value: "y" },
        ],
      },
    });
    await waitForRollout(c.api, "back-b", onRelease("back-v3"), { timeoutMs: 90_000 });

    const entry = await c.api.post<RecordedEntry>("/pipelines/back/promote", {
      stage: "b",
      release: "back-v2",
      reason: "v3 slows checkout",
    });
    expect(entry).toMatchObject({ type: "PromoteRequested", actor: "local-admin" });
    const back = await waitForRollout(c.api, "back-b", onRelease("back-v2"), { timeoutMs: 90_000 });
    // v2's template exactly as it was (nothing of v3 left behind), so the same revision hash.
    expect(back.status?.stableRevision).toBe(v2.status?.stableRevision);
    await servesOnly(c.routerUrl, "back-b", "2.0");
    // A rollback by hand is not undone by the pipeline: v3 does not come back by itself.
    await waitForEntry(c.api, "back", "Healthy", "back-v2", "b");
    const after = await c.api.get<Rollout>("/rollouts/back-b");
    expect(after.spec.template.metadata?.annotations?.["sluice.dev/release"]).toBe("back-v2");

    // Applying the stage's manifest again (here: one more replica) keeps the release it runs.
    const [outcome] = await c.api.post<{ outcome: string }[]>("/apply", {
      resources: [demoRollout("back-b", { VERSION: "1.0" }, canary, 2)],
    });
    expect(outcome?.outcome).toBe("configured");
    const scaled = await waitForRollout(c.api, "back-b", (r) => onRelease("back-v2")(r) && r.spec.replicas === 2, {
      timeoutMs: 90_000,
    });
    expect(scaled.status?.stableRevision).toBe(v2.status?.stableRevision);
  });

  it("rejects a release whose approval request expires, when the stage says so", async () => {
    await c.api.post("/apply", {
      resources: [
        demoRollout("exp-a", { VERSION: "1.0" }, canary, 1),
        demoRollout("exp-b", { VERSION: "1.0" }, canary, 1),
        pipeline("exp", [
          { name: "a", rollout: "exp-a" },
          { name: "b", rollout: "exp-b", approval: { timeout: "2s", onTimeout: "reject" } },
        ]),
      ],
    });
    await c.api.post("/releases", release("exp", "exp-v2", "2.0"));
    await waitForEntry(c.api, "exp", "Expired", "exp-v2", "b");
    await waitForEntry(c.api, "exp", "Rejected", "exp-v2");
    const b = await c.api.get<Rollout>("/rollouts/exp-b");
    expect(b.spec.template.metadata?.annotations?.["sluice.dev/release"]).toBeUndefined();
  });
});
