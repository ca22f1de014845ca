import { createServer, type Server } from "node:http";
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { createProviders, KubeJobs } from "../analysis/providers/index.js";
import type { Rollout } from "../model/index.js";
import { RESOURCE_KINDS } from "../model/validate.js";
import { Notifier } from "../notifications/notifier.js";
import { apiErrorCode, describeApiError } from "../platform/kubernetes/api-errors.js";
import { RemoteStages } from "../platform/kubernetes/clusters/remote-stages.js";
import { pluralOf, SLUICE_GROUP, SLUICE_VERSION } from "../platform/kubernetes/crds.js";
import { informerMetrics, SupervisedInformer } from "../platform/kubernetes/informer.js";
import { KubernetesPlatform } from "../platform/kubernetes/kube-platform.js";
import { LeaderElector } from "../platform/kubernetes/leader-election.js";
import { APPROVAL_POLICY_BINDING, type ApprovalPolicy } from "../platform/kubernetes/pipeline-status.js";
import { KubePipelineStore } from "../platform/kubernetes/pipeline-store.js";
import { KubeResourceStore, type ObjectCache } from "../platform/kubernetes/resource-store.js";
import { routerFor } from "../platform/kubernetes/routers/index.js";
import { shareConnections } from "../platform/kubernetes/shared-connections.js";
import type { ResourceKind } from "../ports/control-plane.js";
import { Controller } from "./controller.js";
import { LoadWarnings } from "./load-warning.js";
import { ControllerMetrics, rolloutLabel } from "./metrics.js";

export interface KubeRuntimeOptions {
  kc: KubeConfig;
  /** Watch and act in this namespace only (namespaced mode); all namespaces when unset. */
  namespace?: string;
  /** This replica's name: the Lease holder and the reporting instance of its Kubernetes Events. */
  identity: string;
  /** Leader election on a Lease; without it this controller acts at once (one replica only!). */
  leaderElection?: {
    namespace: string;
    name: string;
    leaseDurationSeconds?: number;
    renewDeadlineSeconds?: number;
    retryPeriodSeconds?: number;
  };
  /** Rollouts of one namespace reconciled at once (default {@link DEFAULT_CONCURRENT_RECONCILES}). */
  concurrentReconciles?: number;
  /** Serve /metrics, /healthz and /readyz here (e.g. { host: "0.0.0.0", port: 8090 }). */
  metricsListen?: { host: string; port: number };
  /**
   * Run command metrics that name no image inside the controller's process, with its service
   * account (--allow-local-commands). Off by default: they run as Jobs in the rollout's namespace.
   */
  allowLocalCommands?: boolean;
  /** How often a measurement's Job is read while it runs (default 1 s). */
  jobPollMs?: number;
  log?: (message: string) => void;
  onError?: (message: string, err: unknown) => void;
}

/** A running Kubernetes controller. */
export interface KubeRuntime {
  isLeader(): boolean;
  /** Address of the metrics server, when one was asked for. */
  metricsUrl: string | undefined;
  /** Resolves once no reconcile is queued or running in any namespace (tests, benchmarks). */
  idle(): Promise<void>;
  metrics: ControllerMetrics;
  stop(): Promise<void>;
}

const ROLLOUT_LABEL = "sluice.dev/rollout";
/**
 * One at a time per namespace by default: on the 1,000-rollout bench, 4 at once finished no sooner
 * (pod creation is the limit) and quadrupled API latency (docs/benchmarks.md).
 */
export const DEFAULT_CONCURRENT_RECONCILES = 1;

/**
 * Runs Sluice as a Kubernetes controller: informers over Sluice's resources and the ReplicaSets
 * and pods it owns, one control loop per namespace, and, with leader election, only while this
 * replica holds the Lease. Informers keep running on a standby so a takeover starts warm.
 */
export async function startKubeRuntime(opts: KubeRuntimeOptions): Promise<KubeRuntime> {
  const { kc } = opts;
  const connections = shareConnections(kc);
  const log = opts.log ?? (() => {});
  const onError = opts.onError ?? ((message: string, err: unknown) => log(`${message}: ${errorText(err)}`));
  const custom = kc.makeApiClient(CustomObjectsApi);
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const ns = opts.namespace;

  const informers = {} as Record<ResourceKind | "PipelineApproval", SupervisedInformer<KubernetesObject>>;
  for (const kind of [...RESOURCE_KINDS, "PipelineApproval" as const]) {
    const plural = pluralOf(kind);
    const clusterScoped = kind === "ClusterAnalysisTemplate" || ns === undefined;
    const path = `/apis/${SLUICE_GROUP}/${SLUICE_VERSION}${clusterScoped ? "" : `/namespaces/${ns}`}/${plural}`;
    informers[kind] = new SupervisedInformer({
      kc,
      path,
      list: () =>
        (clusterScoped
          ? custom.listClusterCustomObject({ group: SLUICE_GROUP, version: SLUICE_VERSION, plural })
          : custom.listNamespacedCustomObject({
              group: SLUICE_GROUP,
              version: SLUICE_VERSION,
              plural,
              namespace: ns,
            })) as Promise<KubernetesListObject<KubernetesObject>>,
      onError: (err) => onError(`watch of ${plural} failed; restarting`, err),
    });
  }
  const replicaSets = new SupervisedInformer<KubernetesObject>({
    kc,
    path: ns ? `/apis/apps/v1/namespaces/${ns}/replicasets` : "/apis/apps/v1/replicasets",
    objectType: "V1ReplicaSet",
    labelSelector: ROLLOUT_LABEL,
    list: () =>
      (ns
        ? apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: ROLLOUT_LABEL })
        : apps.listReplicaSetForAllNamespaces({ labelSelector: ROLLOUT_LABEL })) as Promise<
        KubernetesListObject<KubernetesObject>
      >,
    onError: (err) => onError("watch of replicasets failed; restarting", err),
  });
  const pods = new SupervisedInformer<KubernetesObject>({
    kc,
    path: ns ? `/api/v1/namespaces/${ns}/pods` : "/api/v1/pods",
    objectType: "V1Pod",
    labelSelector: ROLLOUT_LABEL,
    list: () =>
      (ns
        ? core.listNamespacedPod({ namespace: ns, labelSelector: ROLLOUT_LABEL })
        : core.listPodForAllNamespaces({ labelSelector: ROLLOUT_LABEL })) as Promise<
        KubernetesListObject<KubernetesObject>
      >,
    onError: (err) => onError("watch of pods failed; restarting", err),
  });

  const metrics = new ControllerMetrics();
  informerMetrics(metrics.registry, { ...informers, ReplicaSet: replicaSets, Pod: pods });
  // Per namespace: command and job metrics run as Jobs in the rollout's own namespace.
  const providersFor = (namespace: string) =>
    createProviders({
      getTelemetry: () => {
        throw new Error("the builtin provider reads Sluice's own router, which runs only on the local platform");
      },
      jobs: new KubeJobs({
        client: batch,
        namespace,
        ...(opts.jobPollMs === undefined ? {} : { pollMs: opts.jobPollMs }),
      }),
      allowLocalCommands: opts.allowLocalCommands ?? false,
    });
  const approvalPolicy = policyReader(kc, onError);
  const controllers = new Map<string, Controller>();
  const stores = new Map<string, KubeResourceStore>();
  const notifiers = new Map<string, Notifier>();
  const loadWarnings = new LoadWarnings();
  let leading = false;

  const caches = Object.fromEntries(RESOURCE_KINDS.map((k) => [k, informers[k] as ObjectCache])) as Record<
    ResourceKind,
    ObjectCache
  >;
  const controllerFor = (namespace: string): Controller | undefined => {
    if (!leading) return undefined;
    let controller = controllers.get(namespace);
    if (controller) return controller;
    const platform = new KubernetesPlatform({
      kc,
      namespace,
      routerFor: (rollout: Rollout) => routerFor(rollout, kc, namespace),
      caches: { replicaSets, pods },
    });
    const store = new KubeResourceStore({
      kc,
      namespace,
      caches,
      templates: (rollout) => platform.templates(rollout),
      onInvalid: (message) => log(message),
      identity: opts.identity,
    });
    stores.set(namespace, store);
    // Secrets are read by name only: the controller may `get` them, never list them.
    const readSecret = (name: string) =>
      core.readNamespacedSecret({ namespace, name }).catch((err: unknown) => {
        // Missing is an answer, not a failure; anything else becomes one line for the user's message.
        if (apiErrorCode(err) === 404) return undefined;
        // The controller may read Secrets only where an admin bound it (deploy/rbac.yaml).
        const hint =
          apiErrorCode(err) === 403
            ? `; bind ClusterRole sluice-controller-secrets to the controller in namespace ${namespace} (docs/kubernetes.md)`
            : "";
        throw new Error(`${describeApiError(err)}${hint}`, { cause: err });
      });
    const loadSecret = async (name: string) => {
      const secret = await readSecret(name);
      if (!secret) return undefined;
      return Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
      );
    };
    const pipelineStore = new KubePipelineStore({
      kc,
      namespace,
      resources: store,
      caches: {
        Pipeline: informers.Pipeline,
        Rollout: informers.Rollout,
        PipelineApproval: informers.PipelineApproval,
      },
      policy: approvalPolicy.current,
      onError,
      remote: new RemoteStages({ namespace, readSecret }),
    });
    controller = new Controller({
      store,
      pipelineStore,
      platform,
      providers: providersFor(namespace),
      metrics,
      onError,
      loadSecret,
      concurrentReconciles: opts.concurrentReconciles ?? DEFAULT_CONCURRENT_RECONCILES,
    });
    controllers.set(namespace, controller);
    controller.start();
    // Only the leader has controllers, so only the leader notifies.
    const notifier = new Notifier({ source: controller, metrics, onError, loadSecret });
    notifiers.set(namespace, notifier);
    notifier.start();
    return controller;
  };
  const touch = (obj: KubernetesObject, name: string | undefined) => {
    const namespace = obj.metadata?.namespace;
    if (namespace && name) controllerFor(namespace)?.observationChanged(name);
  };
  /** Says on the rollout, once per change, that its generated load is not sent here. */
  const warnIfLoad = (obj: KubernetesObject) => {
    const { namespace, name, generation } = obj.metadata ?? {};
    if (!namespace || !name) return;
    controllerFor(namespace);
    const store = stores.get(namespace);
    const event = store && loadWarnings.next(`${namespace}/${name}`, generation ?? 0, (obj as { spec?: unknown }).spec);
    if (event)
      void store
        .appendEvents("Rollout", name, [event])
        .catch((err: unknown) => onError("could not record a load warning", err));
  };
  informers.Rollout.onChange((type, obj) => {
    // A deleted rollout's ReplicaSets and runs go with it (owner references); its series go here.
    if (type === "delete") metrics.forget(rolloutLabel(obj.metadata?.name ?? "", obj.metadata?.namespace));
    if (type === "delete") loadWarnings.forget(`${obj.metadata?.namespace}/${obj.metadata?.name}`);
    else warnIfLoad(obj);
    touch(obj, obj.metadata?.name);
    // A stage may live in another namespace than its pipeline: every namespace's pipelines look.
    const name = obj.metadata?.name;
    if (name) for (const c of controllers.values()) c.stageRolloutChanged(name);
  });
  const pipelineOf = (obj: KubernetesObject, name: string | undefined) => {
    const namespace = obj.metadata?.namespace;
    if (namespace && name) controllerFor(namespace)?.pipelineChanged(name);
  };
  informers.Pipeline.onChange((_type, obj) => pipelineOf(obj, obj.metadata?.name));
  informers.Release.onChange((_type, obj) => pipelineOf(obj, (obj as { spec?: { pipeline?: string } }).spec?.pipeline));
  informers.PipelineApproval.onChange((type, obj) => {
    if (type === "delete") return;
    // Read the requester policy as it stands now, before the approval is judged against it.
    void approvalPolicy.refresh().then(() => pipelineOf(obj, (obj as { spec?: { pipeline?: string } }).spec?.pipeline));
  });
  replicaSets.onChange((_type, obj) => touch(obj, obj.metadata?.labels?.[ROLLOUT_LABEL]));
  pods.onChange((_type, obj) => touch(obj, obj.metadata?.labels?.[ROLLOUT_LABEL]));

  const startLeading = () => {
    leading = true;
    log("leading: reconciling rollouts");
    const namespaces = new Set(
      [...informers.Rollout.list(), ...informers.Pipeline.list()].map((r) => r.metadata?.namespace ?? ""),
    );
    for (const namespace of namespaces) if (namespace) controllerFor(namespace);
    for (const rollout of informers.Rollout.list()) warnIfLoad(rollout);
  };
  const stopLeading = () => {
    if (!leading) return;
    leading = false;
    log("lost leadership: stopped acting");
    for (const n of notifiers.values()) n.stop();
    notifiers.clear();
    for (const c of controllers.values()) c.stop();
    controllers.clear();
    // The new leader reports rollouts' state; ours would freeze as it is now.
    metrics.forgetRollouts();
  };

  const all = [...Object.values(informers), replicaSets, pods];
  await Promise.all([...all.map((i) => i.start()), approvalPolicy.refresh()]);

  let elector: LeaderElector | undefined;
  if (opts.leaderElection) {
    elector = new LeaderElector({
      kc,
      ...opts.leaderElection,
      identity: opts.identity,
      onStartedLeading: startLeading,
      onStoppedLeading: stopLeading,
      onError: (err) => onError("leader election", err),
    });
    elector.start();
  } else startLeading();

  let server: Server | undefined;
  let metricsUrl: string | undefined;
  if (opts.metricsListen) {
    server = createServer((req, res) => {
      if (req.url === "/metrics") {
        metrics.text().then(
          (text) => res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" }).end(text),
          () => res.writeHead(500).end(),
        );
      } else if (req.url === "/healthz" || req.url === "/readyz") res.writeHead(200).end("ok");
      else res.writeHead(404).end();
    });
    const listen = opts.metricsListen;
    await new Promise<void>((resolve) => server?.listen(listen.port, listen.host, resolve));
    const address = server.address();
    if (address && typeof address === "object") metricsUrl = `http://${listen.host}:${address.port}`;
  }

  return {
    isLeader: () => leading,
    metricsUrl,
    metrics,
    async idle() {
      await Promise.all([...controllers.values()].map((c) => c.idle()));
    },
    async stop() {
      await elector?.stop();
      stopLeading();
      for (const i of all) i.stop();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      connections.close();
    },
  };
}

/**
 * The requester policy's binding, read when an approval arrives (and at start). A binding that
 * cannot be read counts as missing: approvals are then refused, never trusted.
 */
function policyReader(kc: KubeConfig, onError: (message: string, err: unknown) => void) {
  const api = kc.makeApiClient(AdmissionregistrationV1Api);
  let policy: ApprovalPolicy | undefined;
  return {
    current: () => policy,
    async refresh(): Promise<void> {
      try {
        const binding = await api.readValidatingAdmissionPolicyBinding({ name: APPROVAL_POLICY_BINDING });
        const created = binding.metadata?.creationTimestamp;
        policy = {
          boundAt: created ? new Date(created) : new Date(0),
          denies: binding.spec?.validationActions?.includes("Deny") ?? false,
        };
      } catch (err) {
        policy = undefined;
        if (apiErrorCode(err) !== 404)
          onError(
            `could not read ValidatingAdmissionPolicyBinding ${APPROVAL_POLICY_BINDING}; approvals are refused`,
            err,
          );
      }
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
