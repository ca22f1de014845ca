import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  type V1ReplicaSet,
} from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { waitFor } from "./wait.js";

const root = join(import.meta.dirname, "../..");
export const GROUP = "sluice.dev";
export const VERSION = "v1alpha1";

/** Applies deploy/crds/*.yaml (what users apply) and waits until every CRD is served. */
export async function installCrds(kc: KubeConfig): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const dir = join(root, "deploy/crds");
  const crds = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as KubernetesObject));
  const crdRef = { group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions" };
  for (const body of crds) await custom.createClusterCustomObject({ ...crdRef, body });
  await waitFor(
    async () => {
      for (const crd of crds) {
        const got = (await custom.getClusterCustomObject({ ...crdRef, name: crd.metadata?.name ?? "" })) as {
          status?: { conditions?: { type: string; status: string }[] };
        };
        if (!got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return false;
      }
      await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: "rollouts" });
      return true;
    },
    { timeoutMs: 30_000, intervalMs: 200, message: "Sluice CRDs Established and served" },
  );
}

/** Creates a namespace and returns its name. */
export async function createNamespace(kc: KubeConfig, name: string): Promise<string> {
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

/** A user-owned Service selecting the app; the controller pins it to a revision. */
export async function createService(kc: KubeConfig, namespace: string, name: string, app: string): Promise<void> {
  await kc.makeApiClient(CoreV1Api).createNamespacedService({
    namespace,
    body: {
      metadata: { name, labels: { owner: "team-web" } },
      spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] },
    },
  });
}

export async function serviceSelector(kc: KubeConfig, namespace: string, name: string) {
  const svc = await kc.makeApiClient(CoreV1Api).readNamespacedService({ namespace, name });
  return svc.spec?.selector ?? {};
}

/** The rollout's ReplicaSets by revision hash: desired and ready replicas. */
export async function replicaSetsOf(
  kc: KubeConfig,
  namespace: string,
  rollout: string,
): Promise<Record<string, { replicas: number; ready: number; rs: V1ReplicaSet }>> {
  const list = await kc
    .makeApiClient(AppsV1Api)
    .listNamespacedReplicaSet({ namespace, labelSelector: `sluice.dev/rollout=${rollout}` });
  const out: Record<string, { replicas: number; ready: number; rs: V1ReplicaSet }> = {};
  for (const rs of list.items) {
    const hash = rs.metadata?.labels?.["sluice.dev/pod-template-hash"] ?? "?";
    out[hash] = { replicas: rs.spec?.replicas ?? 0, ready: rs.status?.readyReplicas ?? 0, rs };
  }
  return out;
}

type Obj = KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };

/** Creates or replaces a Sluice resource's spec (as `kubectl apply` would for these tests). */
export async function applySluice(kc: KubeConfig, namespace: string, obj: Obj): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const plural = `${(obj.kind ?? "").toLowerCase()}s`;
  const ref = { group: GROUP, version: VERSION, namespace, plural };
  try {
    await custom.createNamespacedCustomObject({ ...ref, body: obj, fieldValidation: "Strict" });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
    await custom.patchNamespacedCustomObject(
      { ...ref, name: obj.metadata?.name ?? "", body: [{ op: "replace", path: "/spec", value: obj.spec }] },
      (await import("@kubernetes/client-node")).setHeaderOptions("Content-Type", "application/json-patch+json"),
    );
  }
}

export async function getSluice(kc: KubeConfig, namespace: string, kind: string, name: string): Promise<Obj> {
  return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: `${kind.toLowerCase()}s`,
    name,
  })) as Obj;
}

/** A Kubernetes Rollout manifest for app `name` at image version `version`. */
export function kubeRollout(name: string, version: string, strategy: Record<string, unknown>, replicas = 4): Obj {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "Rollout",
    metadata: { name },
    spec: {
      replicas,
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "app", image: `registry.example/${name}:${version}` }] },
      },
      strategy,
    },
  };
}

/**
 * An AnalysisTemplate `name` whose one metric asks a test's HTTP server on 127.0.0.1:`port` for
 * `{"ok": true|false}` every second, twice: the test decides the verdict by what its server answers.
 */
export function webCheckTemplate(name: string, port: number): Obj {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: "AnalysisTemplate",
    metadata: { name },
    spec: {
      metrics: [
        {
          name,
          interval: "1s",
          count: 2,
          provider: { web: { url: `http://127.0.0.1:${port}/check`, jsonPath: "{$.ok}" } },
          successCondition: "result == true",
        },
      ],
    },
  };
}
