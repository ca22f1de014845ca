import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AuthorizationV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { findKubeAssets } from "../../scripts/k8s/assets.js";
import { type KubeRuntime, startKubeRuntime } from "../../src/controller/kube-runtime.js";
import { type ControlPlane, startControlPlane } from "../helpers/kube.js";
import {
  applySluice,
  createNamespace,
  createService,
  GROUP,
  getSluice,
  installCrds,
  kubeRollout,
  serviceSelector,
  VERSION,
} from "../helpers/kube-sluice.js";
import { waitFor } from "../helpers/wait.js";

const skip = !(await findKubeAssets({ build: false })) && process.env.SLUICE_SKIP_KUBE === "1";
const root = join(import.meta.dirname, "../..");
const SA = "system:serviceaccount:sluice-system:sluice-controller";

const rbacObjects = (): KubernetesObject[] =>
  parseAllDocuments(readFileSync(join(root, "deploy/rbac.yaml"), "utf8")).map((d) => d.toJS() as KubernetesObject);

/** A client that is the controller's service account: a bound token from the TokenRequest API. */
async function serviceAccountConfig(admin: KubeConfig): Promise<KubeConfig> {
  const token = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace: "sluice-system",
    name: "sluice-controller",
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.getCurrentCluster();
  if (!cluster || !token.status?.token) throw new Error("no cluster or no token");
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: "sluice-controller", token: token.status.token }],
    contexts: [{ name: "sa", cluster: cluster.name, user: "sluice-controller" }],
    currentContext: "sa",
  });
  return kc;
}

// The RBAC of deploy/rbac.yaml, applied to a real API server: the controller runs on its service
// account's token and does a whole canary with it; anything else is refused.
describe.skipIf(skip)("deploy/rbac.yaml on a real control plane", () => {
  let cp: ControlPlane;
  let admin: KubeConfig;
  let controllerKc: KubeConfig;
  let runtime: KubeRuntime | undefined;
  const errors: string[] = [];

  beforeAll(async () => {
    cp = await startControlPlane();
    admin = new KubeConfig();
    admin.loadFromFile(cp.kubeconfigPath);
    await installCrds(admin);
    const objects = admin.makeApiClient(KubernetesObjectApi);
    for (const obj of rbacObjects()) await objects.create(obj);
    await waitFor(
      () =>
        admin
          .makeApiClient(CoreV1Api)
          .readNamespacedServiceAccount({ namespace: "sluice-system", name: "sluice-controller" }),
      { timeoutMs: 10_000, message: "the controller's ServiceAccount" },
    );
    controllerKc = await serviceAccountConfig(admin);
    // A namespace whose templates read a Secret: what docs/kubernetes.md tells an admin to bind.
    const ns = await createNamespace(admin, "shop");
    const core = admin.makeApiClient(CoreV1Api);
    await createService(admin, ns, "web-stable", "web");
    await createService(admin, ns, "web-canary", "web");
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: "checker" }, stringData: { mode: "strict" } },
    });
    await admin.makeApiClient(KubernetesObjectApi).create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "sluice-controller-secrets", namespace: ns },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "sluice-controller-secrets" },
      subjects: [{ kind: "ServiceAccount", name: "sluice-controller", namespace: "sluice-system" }],
    } as KubernetesObject);
    // And one whose Secrets the controller must not read.
    await createNamespace(admin, "elsewhere");
    await core.createNamespacedSecret({
      namespace: "elsewhere",
      body: { metadata: { name: "db" }, stringData: { pw: "x" } },
    });
    runtime = await startKubeRuntime({
      kc: controllerKc,
      identity: "rbac-test",
      leaderElection: { namespace: "sluice-system", name: "sluice-controller" },
      jobPollMs: 200,
      onError: (m, err) => errors.push(`${m}: ${err instanceof Error ? err.message : String(err)}`),
    });
  }, 50 * 60_000);
  afterAll(async () => {
    await runtime?.stop();
    await cp?.stop();
  });

  const can = async (verb: string, group: string, resource: string, more: Record<string, string> = {}) => {
    const review = await admin.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: { spec: { user: SA, resourceAttributes: { namespace: "shop", verb, group, resource, ...more } } },
    });
    return review.status?.allowed ?? false;
  };

  it("is enough for a whole canary: leader election, ReplicaSets, Services, a Job-run analysis reading a Secret, Events", async () => {
    const ns = "shop";
    const core = admin.makeApiClient(CoreV1Api);
    await waitFor(() => runtime?.isLeader(), { timeoutMs: 30_000, message: "the controller leads" });

    await applySluice(admin, ns, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "AnalysisTemplate",
      metadata: { name: "smoke" },
      spec: {
        args: [{ name: "mode", valueFrom: { secretKeyRef: { name: "checker", key: "mode" } } }],
        metrics: [
          {
            name: "smoke",
            provider: {
              command: {
                command: ["/bin/check", "--mode={{args.mode}}"],
                image: "registry.example/check:1",
                result: "exitCode",
              },
            },
          },
        ],
      },
    });
    const strategy = {
      canary: {
        stableService: "web-stable",
        canaryService: "web-canary",
        steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "smoke" }] } }],
      },
    };
    type Status = { phase?: string; stableRevision?: string; message?: string };
    const status = async () => ((await getSluice(admin, ns, "Rollout", "web")).status ?? {}) as Status;
    await applySluice(admin, ns, kubeRollout("web", "1", strategy, 2));
    await waitFor(async () => (await status()).phase === "Healthy", { timeoutMs: 60_000, message: "v1 Healthy" });
    const v1 = (await status()).stableRevision;
    await applySluice(admin, ns, kubeRollout("web", "2", strategy, 2));
    await waitFor(async () => (await status()).phase === "Healthy" && (await status()).stableRevision !== v1, {
      timeoutMs: 120_000,
      intervalMs: 250,
      message: "v2 promoted after its analysis",
    }).catch(async (err) => {
      throw new Error(
        `${(err as Error).message}; status ${JSON.stringify(await status())}; errors ${errors.join(" | ")}`,
      );
    });
    const v2 = (await status()).stableRevision ?? "";
    expect(await serviceSelector(admin, ns, "web-stable")).toMatchObject({ "sluice.dev/pod-template-hash": v2 });

    const runs = (await admin.makeApiClient(KubernetesObjectApi).list(`${GROUP}/${VERSION}`, "AnalysisRun", ns)) as {
      items: { status?: { phase?: string; metricResults?: { measurements?: { query?: string }[] }[] } }[];
    };
    const run = runs.items.find((r) => r.status?.phase === "Successful");
    expect(run?.status?.metricResults?.[0]?.measurements?.[0]?.query).toMatch(
      /^\/bin\/check --mode=strict \(Job shop\//,
    );

    const lease = await admin
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ namespace: "sluice-system", name: "sluice-controller" });
    expect(lease.spec?.holderIdentity).toBe("rbac-test");
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: "involvedObject.name=web" });
    expect(events.items.length).toBeGreaterThan(0);
    expect(errors.filter((e) => /forbidden/i.test(e))).toEqual([]);
  }, 240_000);

  it("ends a run that reads a Secret outside the bound namespaces in Error, and logs the RoleBinding to create", async () => {
    const ns = "elsewhere";
    await applySluice(admin, ns, {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "AnalysisTemplate",
      metadata: { name: "needs-db" },
      spec: {
        args: [{ name: "pw", valueFrom: { secretKeyRef: { name: "db", key: "pw" } } }],
        metrics: [{ name: "m", provider: { web: { url: "http://127.0.0.1:1/{{args.pw}}" } } }],
      },
    });
    const strategy = {
      canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "needs-db" }] } }] },
    };
    type Status = { phase?: string; abort?: boolean; message?: string };
    const status = async () => ((await getSluice(admin, ns, "Rollout", "db")).status ?? {}) as Status;
    await applySluice(admin, ns, kubeRollout("db", "1", strategy, 1));
    await waitFor(async () => (await status()).phase === "Healthy", { timeoutMs: 60_000, message: "v1 Healthy" });
    await applySluice(admin, ns, kubeRollout("db", "2", strategy, 1));
    await waitFor(async () => (await status()).abort === true, { timeoutMs: 60_000, message: "v2 aborted" });
    expect((await status()).message).toMatch(/Secret "db"/);
    expect(errors.find((e) => e.includes('could not read Secret "db"'))).toMatch(
      /bind ClusterRole sluice-controller-secrets to the controller in namespace elsewhere/,
    );
  }, 180_000);

  it("refuses the controller what it does not need", async () => {
    const sa = {
      core: controllerKc.makeApiClient(CoreV1Api),
      batch: controllerKc.makeApiClient(BatchV1Api),
      leases: controllerKc.makeApiClient(CoordinationV1Api),
    };
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 200,
        (err: unknown) => (err as { code?: number }).code,
      );
    // Secrets only where a RoleBinding grants them; never listed.
    expect(await code(sa.core.readNamespacedSecret({ namespace: "elsewhere", name: "db" }))).toBe(403);
    // The authorizer learns of a new RoleBinding through a watch: allow it a moment.
    await waitFor(
      async () => (await code(sa.core.readNamespacedSecret({ namespace: "shop", name: "checker" }))) === 200,
      {
        timeoutMs: 15_000,
        message: "the Secret in shop readable through the RoleBinding",
      },
    );
    expect(await code(sa.core.listNamespacedSecret({ namespace: "shop" }))).toBe(403);
    // No exec into pods, no deleting them, no reading ConfigMaps, no listing Jobs it did not make.
    expect(await code(sa.core.deleteCollectionNamespacedPod({ namespace: "shop" }))).toBe(403);
    expect(await code(sa.core.listNamespacedConfigMap({ namespace: "shop" }))).toBe(403);
    expect(await code(sa.batch.listNamespacedJob({ namespace: "shop" }))).toBe(403);
    // Leases only in its own namespace.
    const lease = { metadata: { name: "kube-controller-manager" }, spec: { holderIdentity: "sluice" } };
    expect(await code(sa.leases.createNamespacedLease({ namespace: "kube-system", body: lease }))).toBe(403);

    const allowed: [string, string, string, Record<string, string>?][] = [
      ["list", GROUP, "rollouts"],
      ["patch", GROUP, "rollouts", { subresource: "status" }],
      ["update", GROUP, "rollouts", { subresource: "finalizers" }],
      ["watch", GROUP, "analysistemplates"],
      ["create", GROUP, "analysisruns"],
      ["patch", GROUP, "analysisruns", { subresource: "status" }],
      ["create", "apps", "replicasets"],
      ["create", "", "pods", { subresource: "eviction" }],
      ["patch", "", "services"],
      ["create", "", "events"],
      ["create", "batch", "jobs"],
      ["delete", "batch", "jobs"],
      ["create", "networking.k8s.io", "ingresses"],
      ["update", "gateway.networking.k8s.io", "httproutes"],
      ["update", "networking.istio.io", "virtualservices"],
      ["create", "split.smi-spec.io", "trafficsplits"],
      // Pipelines: a release applied to a stage's rollout spec; the record in the pipeline's status.
      ["patch", GROUP, "rollouts"],
      ["watch", GROUP, "pipelines"],
      ["patch", GROUP, "pipelines", { subresource: "status" }],
      ["watch", GROUP, "releases"],
      ["watch", GROUP, "pipelineapprovals"],
      ["patch", GROUP, "pipelineapprovals", { subresource: "status" }],
      [
        "get",
        "admissionregistration.k8s.io",
        "validatingadmissionpolicybindings",
        { name: "sluice-pipeline-approvals" },
      ],
    ];
    for (const [verb, group, resource, more] of allowed)
      expect([verb, group, resource, more, await can(verb, group, resource, more)]).toEqual([
        verb,
        group,
        resource,
        more,
        true,
      ]);

    const refused: [string, string, string, Record<string, string>?][] = [
      ["update", GROUP, "rollouts"],
      ["create", GROUP, "analysistemplates"],
      // Pipelines, releases and approvals are people's: never created, changed or deleted.
      ["patch", GROUP, "pipelines"],
      ["create", GROUP, "releases"],
      ["patch", GROUP, "pipelineapprovals"],
      ["delete", GROUP, "pipelineapprovals"],
      ["list", "admissionregistration.k8s.io", "validatingadmissionpolicybindings"],
      ["get", "", "secrets", { namespace: "elsewhere" }],
      ["list", "", "secrets"],
      ["create", "", "pods"],
      ["delete", "", "pods"],
      ["create", "", "pods", { subresource: "exec" }],
      ["create", "", "serviceaccounts", { subresource: "token" }],
      ["create", "", "services"],
      ["delete", "", "services"],
      ["get", "", "configmaps"],
      ["create", "apps", "deployments"],
      ["update", "batch", "jobs"],
      ["list", "batch", "jobs"],
      ["create", "batch", "cronjobs"],
      ["create", "coordination.k8s.io", "leases"],
      ["update", "coordination.k8s.io", "leases", { namespace: "sluice-system", name: "someone-else" }],
      ["patch", "gateway.networking.k8s.io", "httproutes"],
      ["delete", "gateway.networking.k8s.io", "httproutes"],
      ["create", "rbac.authorization.k8s.io", "rolebindings"],
      ["bind", "rbac.authorization.k8s.io", "clusterroles"],
      ["escalate", "rbac.authorization.k8s.io", "clusterroles"],
      ["impersonate", "", "serviceaccounts"],
    ];
    for (const [verb, group, resource, more] of refused)
      expect([verb, group, resource, more, await can(verb, group, resource, more)]).toEqual([
        verb,
        group,
        resource,
        more,
        false,
      ]);
  });
});

// Declared only when skipping, so a normal run reports no skipped test.
if (skip) {
  describe("deploy/rbac.yaml on a real control plane", () => {
    it.skip("skipped: binaries not built (run scripts/k8s/build.sh) and SLUICE_SKIP_KUBE=1", () => {});
  });
}
