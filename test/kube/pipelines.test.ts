import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubernetesObject,
  KubernetesObjectApi,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { startKubeRuntime } from "../../src/controller/kube-runtime.js";
import { ClusterControlPlane } from "../../src/platform/kubernetes/cluster-control-plane.js";
import type { RecordedEntry } from "../../src/ports/control-plane.js";
import { type ControlPlane, PipelineRequestError } from "../../src/ports/control-plane.js";
import { useKubeController } from "../helpers/kube-controller.js";
import { applySluice, createNamespace, GROUP, getSluice, kubeRollout, VERSION } from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";
const root = join(import.meta.dirname, "../..");
const PIPELINES = "delivery";
const STAGES = ["canary", "staging", "prod"] as const;

type Status = { phase?: string; record?: RecordedEntry[]; recordSeq?: number };

// One pipeline in its own namespace promotes a release through three stages, each a Rollout in its
// own namespace; prod waits for an approval that people give as PipelineApproval objects, whose
// requester the API server checks (deploy/pipeline-approval-policy.yaml).
describe.skipIf(skip)("pipelines on a real control plane", () => {
  const errors: string[] = [];
  const onError = (m: string, err: unknown) => errors.push(`${m}: ${err instanceof Error ? err.message : String(err)}`);
  const env = useKubeController("pipelines-test", {
    onError,
    prepare: async (kc) => {
      const objects = kc.makeApiClient(KubernetesObjectApi);
      const docs = (file: string) =>
        parseAllDocuments(readFileSync(join(root, file), "utf8")).map((d) => d.toJS() as KubernetesObject);
      for (const doc of docs("deploy/pipeline-approval-policy.yaml")) await objects.create(doc);
      // People in group "approvers" may create approvals; nothing else.
      await objects.create({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: "pipeline-approver" },
        rules: [{ apiGroups: [GROUP], resources: ["pipelineapprovals"], verbs: ["create", "get", "list"] }],
      } as KubernetesObject);
      await objects.create({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "pipeline-approvers" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "pipeline-approver" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "approvers" }],
      } as KubernetesObject);
    },
  });

  const pipeline = async () => (await getSluice(env.kc, PIPELINES, "Pipeline", "shop")).status as Status | undefined;
  const record = async () => (await pipeline())?.record ?? [];
  const has = (entries: RecordedEntry[], type: string, stage?: string) =>
    entries.filter((e) => e.type === type && e.release === "v2" && (stage === undefined || e.stage === stage));
  const imageIn = async (ns: string) => {
    const spec = (await getSluice(env.kc, ns, "Rollout", "web")).spec as {
      template: { spec: { containers: { image: string }[] } };
    };
    return spec.template.spec.containers[0]?.image;
  };
  const healthy = async (ns: string) =>
    ((await getSluice(env.kc, ns, "Rollout", "web")).status as { phase?: string } | undefined)?.phase === "Healthy";

  /** Creates an approval as user alice (in group approvers, through impersonation), returning the API server's refusal. */
  const approveAsAlice = async (name: string, spec: Record<string, unknown>): Promise<string | undefined> => {
    const options = setHeaderOptions("Impersonate-Group", "approvers", setHeaderOptions("Impersonate-User", "alice"));
    const body = { apiVersion: `${GROUP}/${VERSION}`, kind: "PipelineApproval", metadata: { name }, spec };
    try {
      await env.kc
        .makeApiClient(CustomObjectsApi)
        .createNamespacedCustomObject(
          { group: GROUP, version: VERSION, namespace: PIPELINES, plural: "pipelineapprovals", body },
          options,
        );
      return undefined;
    } catch (err) {
      return String((err as { body?: unknown }).body ?? err);
    }
  };
  const approval = async (name: string) =>
    (await getSluice(env.kc, PIPELINES, "PipelineApproval", name)).status as
      | { phase?: string; message?: string; seq?: number }
      | undefined;

  it("promotes a release through three namespaces; prod waits for alice, whose approval the API server vouches for", async () => {
    const strategy = { canary: { steps: [{ setWeight: 50 }] } };
    for (const ns of [PIPELINES, ...STAGES]) await createNamespace(env.kc, ns);
    for (const ns of STAGES) await applySluice(env.kc, ns, kubeRollout("web", "1", strategy, 2));
    for (const ns of STAGES) await waitFor(() => healthy(ns), { timeoutMs: 60_000, message: `${ns} v1 Healthy` });

    await applySluice(env.kc, PIPELINES, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "Pipeline",
      metadata: { name: "shop" },
      spec: {
        stages: [
          { name: "canary", rollout: "web", namespace: "canary" },
          { name: "staging", rollout: "web", namespace: "staging" },
          {
            name: "prod",
            rollout: "web",
            namespace: "prod",
            approval: { from: { roles: ["approvers"] }, timeout: "1h" },
          },
        ],
      },
    });
    await applySluice(env.kc, PIPELINES, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "Release",
      metadata: { name: "v2" },
      spec: { pipeline: "shop", image: "registry.example/web:2" },
    });

    await waitFor(async () => has(await record(), "ApprovalRequested", "prod").length === 1, {
      timeoutMs: 90_000,
      message: "v2 through canary and staging, waiting for approval in prod",
    });
    expect(await imageIn("canary")).toBe("registry.example/web:2");
    expect(await imageIn("staging")).toBe("registry.example/web:2");
    expect(await imageIn("prod")).toBe("registry.example/web:1");

    // The API server refuses an approval that names someone else, or a group alice is not in.
    expect(
      await approveAsAlice("forged", {
        pipeline: "shop",
        release: "v2",
        stage: "prod",
        decision: "approve",
        reason: "lgtm",
        requester: "bob",
        groups: ["approvers"],
      }),
    ).toMatch(/spec.requester must be the requesting user, alice/);
    expect(
      await approveAsAlice("borrowed", {
        pipeline: "shop",
        release: "v2",
        stage: "prod",
        decision: "approve",
        reason: "lgtm",
        requester: "alice",
        groups: ["admins"],
      }),
    ).toMatch(/spec.groups may only name groups that alice is in/);

    // Accepted, but acting with no group: the gate takes approvals from approvers only.
    expect(
      await approveAsAlice("no-group", {
        pipeline: "shop",
        release: "v2",
        stage: "prod",
        decision: "approve",
        reason: "lgtm",
        requester: "alice",
      }),
    ).toBeUndefined();
    const refused = await waitFor(
      async () => ((await approval("no-group"))?.phase === "Refused" ? approval("no-group") : undefined),
      {
        timeoutMs: 30_000,
        message: "approval without a group refused",
      },
    );
    expect(refused?.message).toMatch(/alice \(no role\) may not approve prod: it takes approvals from role approvers/);

    // A controller restart while waiting loses nothing and repeats nothing.
    const before = await record();
    await env.runtime.stop();
    env.runtime = await startKubeRuntime({ kc: env.kc, identity: "pipelines-test-2", onError });
    await env.runtime.idle();
    expect(await record()).toEqual(before);

    expect(
      await approveAsAlice("alice-ok", {
        pipeline: "shop",
        release: "v2",
        stage: "prod",
        decision: "approve",
        reason: "canary and staging look good",
        requester: "alice",
        groups: ["approvers"],
      }),
    ).toBeUndefined();
    await waitFor(async () => (await imageIn("prod")) === "registry.example/web:2", {
      timeoutMs: 60_000,
      message: "v2 promoted into prod",
    });
    await waitFor(() => healthy("prod"), { timeoutMs: 60_000, message: "prod v2 Healthy" });

    const entries = await record();
    const [approved] = has(entries, "Approved", "prod");
    expect(approved).toMatchObject({
      actor: "alice",
      actorRoles: ["approvers"],
      reason: "canary and staging look good",
    });
    expect(has(entries, "Approved").length).toBe(1);
    expect(has(entries, "Promoted", "prod").length).toBe(1);
    expect(await approval("alice-ok")).toMatchObject({ phase: "Recorded", seq: approved?.seq });
    // Sequence numbers run on without gaps or repeats across the restart.
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));

    // The record is also an Event on the Pipeline, naming who approved.
    const events = await env.kc
      .makeApiClient(CoreV1Api)
      .listNamespacedEvent({ namespace: PIPELINES, fieldSelector: "involvedObject.name=shop" });
    expect(events.items.find((e) => e.reason === "RequestApproved")?.message).toMatch(/^alice approved v2 for prod/);
    expect(errors.filter((e) => !/watch of .* failed/.test(e))).toEqual([]);
  }, 240_000);

  it("carries out sluice approve and release reject against the cluster as the kubeconfig's user", async () => {
    await applySluice(env.kc, PIPELINES, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "Release",
      metadata: { name: "v3" },
      spec: { pipeline: "shop", image: "registry.example/web:3" },
    });
    const v3 = (type: string) => async () =>
      (await record()).some((e) => e.type === type && e.release === "v3" && e.stage === "prod");
    await waitFor(v3("ApprovalRequested"), { timeoutMs: 90_000, message: "v3 waiting for approval in prod" });

    // The admin certificate is CN=sluice-admin in group system:masters: not an approver of prod.
    // The actor the in-process API passes is not what counts: the API server's user is.
    const cluster: ControlPlane = new ClusterControlPlane(env.kc, PIPELINES);
    const actor = { name: "ignored", role: "admin" };
    const approve = { type: "approve", stage: "prod", release: "v3", reason: "ship it" } as const;
    const refused = await cluster.pipelineRequest("shop", approve, { actor }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PipelineRequestError);
    expect(refused).toMatchObject({ code: "Forbidden" });
    expect((refused as Error).message).toMatch(
      /^sluice-admin \(role system:masters, system:authenticated\) may not approve prod/,
    );

    const rejected = await cluster.pipelineRequest(
      "shop",
      { type: "reject", release: "v3", reason: "wrong build" },
      { actor },
    );
    expect(rejected).toMatchObject({ type: "Rejected", release: "v3", actor: "sluice-admin", reason: "wrong build" });
    expect(await cluster.pipelineRecord("shop", { release: "v3", limit: 1 })).toEqual([rejected]);
    expect(await imageIn("prod")).toBe("registry.example/web:2");
  }, 120_000);

  it("refuses to count any approval while the requester policy is unbound, even one the API server accepted", async () => {
    const admission = {
      group: "admissionregistration.k8s.io",
      version: "v1",
      plural: "validatingadmissionpolicybindings",
    };
    const custom = env.kc.makeApiClient(CustomObjectsApi);
    const binding = await custom.getClusterCustomObject({ ...admission, name: "sluice-pipeline-approvals" });
    await custom.deleteClusterCustomObject({ ...admission, name: "sluice-pipeline-approvals" });
    try {
      // Without the binding nothing checks the requester: alice can claim to be bob, and the API server lets her.
      const forged = { pipeline: "shop", release: "v2", decision: "reject", reason: "x", requester: "bob" };
      await waitFor(async () => (await approveAsAlice("unchecked", forged)) === undefined, {
        timeoutMs: 15_000,
        message: "the API server stops enforcing the policy",
      });
      const status = await waitFor(
        async () => ((await approval("unchecked"))?.phase ? approval("unchecked") : undefined),
        { timeoutMs: 30_000, message: "the unchecked approval settled" },
      );
      expect(status).toMatchObject({ phase: "Refused" });
      expect(status?.message).toMatch(/ValidatingAdmissionPolicyBinding sluice-pipeline-approvals is missing/);
      expect(has(await record(), "Rejected")).toEqual([]);
    } finally {
      const { metadata, ...rest } = binding as KubernetesObject;
      await custom.createClusterCustomObject({ ...admission, body: { ...rest, metadata: { name: metadata?.name } } });
    }
  });

  it("keeps releases and approvals immutable once created", async () => {
    const custom = env.kc.makeApiClient(CustomObjectsApi);
    const change = (plural: string, name: string, path: string, value: unknown) =>
      custom
        .patchNamespacedCustomObject(
          {
            group: GROUP,
            version: VERSION,
            namespace: PIPELINES,
            plural,
            name,
            body: [{ op: "replace", path, value }],
          },
          setHeaderOptions("Content-Type", "application/json-patch+json"),
        )
        .then(
          () => "accepted",
          (err: unknown) => String((err as { body?: unknown }).body ?? err),
        );
    expect(await change("releases", "v2", "/spec/image", "registry.example/web:666")).toMatch(/a release is immutable/);
    expect(await change("pipelineapprovals", "alice-ok", "/spec/reason", "changed my mind")).toMatch(
      /an approval is immutable/,
    );
  });
});

// Declared only when skipping, so a normal run reports no skipped test.
if (skip) {
  describe("pipelines on a real control plane", () => {
    it.skip("needs the test control plane (scripts/k8s/build.sh)", () => {});
  });
}
