import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AdminCredentials, kubeRequest, loadCredentials, writeKubeconfig } from "../../scripts/k8s/api.js";
import { findKubeAssets, type KubeAssets } from "../../scripts/k8s/assets.js";
import { type ControlPlaneCerts, generateCerts } from "../../scripts/k8s/certs.js";
import { type Component, ComponentError, ComponentSet, logTail } from "../../scripts/k8s/processes.js";
import { waitFor } from "./wait.js";

/** Options of {@link startControlPlane}. */
export interface ControlPlaneOptions {
  /** Working directory for certificates, etcd data and logs. Default: a temp dir, removed by stop(). */
  dir?: string;
  /** Build the binaries with scripts/k8s/build.sh when they are missing (default true; a cold build takes ~25 min). */
  build?: boolean;
  /** Use these binaries instead of looking them up. */
  assets?: KubeAssets;
  /** Kill the control plane when this process exits (default true); false lets it outlive the process. */
  tieToParent?: boolean;
  /** Deadline for each component to become ready (default 90 s). */
  readyTimeoutMs?: number;
  /** Name of the fake node kwok manages (default "kwok-node-0"). */
  nodeName?: string;
}

/** A running etcd + kube-apiserver + kube-controller-manager + kube-scheduler + kwok on 127.0.0.1. */
export interface ControlPlane {
  /** Admin kubeconfig (group system:masters, certificates inlined). */
  kubeconfigPath: string;
  /** e.g. https://127.0.0.1:PORT */
  server: string;
  dir: string;
  nodeName: string;
  /** Process (group) ids of the components, in start order. */
  pids: number[];
  /** Wall time from the call to a ready control plane, in milliseconds. */
  startedInMs: number;
  /** Stops every component; removes `dir` when it was a temp dir created by startControlPlane. */
  stop(): Promise<void>;
  /**
   * The kube-apiserver alone, for outage tests: `stop` kills it (as a crash would; etcd and its data
   * stay), `start` runs it again on the same port with the same certificates and waits until ready.
   */
  apiServer: { stop(): Promise<void>; start(): Promise<void> };
}

/** The control plane did not come up; the message names the component and quotes its log. */
export class ControlPlaneError extends Error {
  override readonly name = "ControlPlaneError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A free TCP port on 127.0.0.1 (the usual bind-close-reuse race is covered by retrying startup). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** Waits for `check` to pass, failing at once with the component's log if it exits first. */
async function readyOrExited(component: Component, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const exited = component.exited.then((how) => {
    throw new ComponentError(`${component.name} exited (${how}) before it was ready:\n${logTail(component.logPath)}`);
  });
  const ready = waitFor(check, { timeoutMs, intervalMs: 200, message: `${component.name} ready` }).catch((err) => {
    throw new ComponentError(`${component.name} not ready in ${timeoutMs} ms:\n${logTail(component.logPath)}`, {
      cause: err,
    });
  });
  try {
    await Promise.race([ready, exited]);
  } finally {
    exited.catch(() => {});
  }
}

const ok = (status: number) => status >= 200 && status < 300;

function fakeNode(name: string) {
  const resources = { cpu: "32", memory: "256Gi", pods: "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      // kwok manages nodes with this annotation; the ttl annotation keeps the node's object cache cheap.
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        type: "kwok",
      },
    },
    spec: {},
    status: { allocatable: resources, capacity: resources },
  };
}

interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
}

async function boot(
  set: ComponentSet,
  dir: string,
  assets: KubeAssets,
  certs: ControlPlaneCerts,
  creds: AdminCredentials,
  nodeName: string,
  timeoutMs: number,
): Promise<{ server: string; kubeconfigPath: string; apiServer: ControlPlane["apiServer"] }> {
  const ports: Ports = {
    etcdClient: await freePort(),
    etcdPeer: await freePort(),
    apiserver: await freePort(),
    controllerManager: await freePort(),
    scheduler: await freePort(),
  };
  const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
  const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
  // A reused dir (cluster.ts up) or a retried start must not inherit another cluster's etcd data.
  const etcdData = join(dir, "etcd");
  await rm(etcdData, { recursive: true, force: true });
  const etcd = set.start("etcd", assets.etcd, [
    "--name=sluice-test",
    `--data-dir=${etcdData}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=sluice-test=${peerUrl}`,
    "--unsafe-no-fsync",
    "--log-level=warn",
  ]);
  await readyOrExited(etcd, async () => (await fetch(`${etcdUrl}/health`)).ok, timeoutMs);

  const server = `https://127.0.0.1:${ports.apiserver}`;
  const apiserverArgs = [
    `--etcd-servers=${etcdUrl}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    // The endpoint reconciler refuses loopback addresses, and nothing may dial the kubernetes Service anyway.
    "--endpoint-reconciler-type=none",
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${dir}`,
    `--tls-cert-file=${certs.servingCert}`,
    `--tls-private-key-file=${certs.servingKey}`,
    `--client-ca-file=${certs.caCert}`,
    `--service-account-key-file=${certs.serviceAccountPub}`,
    `--service-account-signing-key-file=${certs.serviceAccountKey}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    "--service-cluster-ip-range=10.0.0.0/24",
    "--authorization-mode=RBAC",
    "--disable-admission-plugins=ServiceAccount",
    "--allow-privileged=true",
    "--profiling=false",
  ];
  const readyz = `${server}/readyz`;
  let apiserver: Component | undefined;
  const startApiServer = async () => {
    apiserver = set.start("kube-apiserver", assets["kube-apiserver"], apiserverArgs);
    await readyOrExited(
      apiserver,
      async () => ok((await kubeRequest(readyz, { credentials: creds })).status),
      timeoutMs,
    );
  };
  const stopApiServer = async () => {
    if (!apiserver?.running()) return;
    process.kill(-apiserver.pid, "SIGKILL");
    await apiserver.exited;
  };
  await startApiServer();

  const kubeconfigPath = join(dir, "kubeconfig");
  await writeKubeconfig(kubeconfigPath, server, creds);
  const created = await kubeRequest(`${server}/api/v1/nodes`, {
    method: "POST",
    body: fakeNode(nodeName),
    credentials: creds,
  });
  if (!ok(created.status)) throw new ControlPlaneError(`creating node ${nodeName}: ${created.status} ${created.body}`);

  const clientAuth = [
    `--kubeconfig=${kubeconfigPath}`,
    `--authentication-kubeconfig=${kubeconfigPath}`,
    `--authorization-kubeconfig=${kubeconfigPath}`,
    "--leader-elect=false",
    "--bind-address=127.0.0.1",
  ];
  const controllerManager = set.start("kube-controller-manager", assets["kube-controller-manager"], [
    ...clientAuth,
    `--secure-port=${ports.controllerManager}`,
    "--controllers=*",
    "--use-service-account-credentials=false",
    `--service-account-private-key-file=${certs.serviceAccountKey}`,
    `--root-ca-file=${certs.caCert}`,
    `--cluster-signing-cert-file=${certs.caCert}`,
    `--cluster-signing-key-file=${certs.caKey}`,
    "--profiling=false",
  ]);
  const scheduler = set.start("kube-scheduler", assets["kube-scheduler"], [
    ...clientAuth,
    `--secure-port=${ports.scheduler}`,
    "--profiling=false",
  ]);
  const kwok = set.start("kwok", assets.kwok, [
    `--kubeconfig=${kubeconfigPath}`,
    `--config=${assets.kwokStages}`,
    "--manage-all-nodes=true",
    "--node-ip=127.0.0.1",
    "--cidr=10.244.0.0/24",
    "--node-lease-duration-seconds=40",
  ]);
  const healthz = (port: number) => async () => ok((await kubeRequest(`https://127.0.0.1:${port}/healthz`)).status);
  const nodeReady = async () => {
    const res = await kubeRequest(`${server}/api/v1/nodes/${nodeName}`, { credentials: creds });
    const node = JSON.parse(res.body) as { status?: { conditions?: { type: string; status: string }[] } };
    return node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
  };
  await Promise.all([
    readyOrExited(controllerManager, healthz(ports.controllerManager), timeoutMs),
    readyOrExited(scheduler, healthz(ports.scheduler), timeoutMs),
    readyOrExited(kwok, nodeReady, timeoutMs),
  ]);
  return { server, kubeconfigPath, apiServer: { stop: stopApiServer, start: startApiServer } };
}

/**
 * Starts a real Kubernetes control plane on 127.0.0.1 with kwok standing in for kubelets: pods of
 * ReplicaSets are scheduled onto a fake node and become Running and Ready without containers.
 * Binaries come from TEST_ASSET_* / KUBEBUILDER_ASSETS, else from scripts/k8s/build.sh's cache.
 */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const began = Date.now();
  const assets = opts.assets ?? (await findKubeAssets({ build: opts.build ?? true }));
  if (!assets) throw new ControlPlaneError("control-plane binaries are missing; run scripts/k8s/build.sh");
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), "sluice-kube-")));
  await mkdir(join(dir, "pki"), { recursive: true });
  const certs = await generateCerts(join(dir, "pki"));
  const creds = await loadCredentials(certs);
  const nodeName = opts.nodeName ?? "kwok-node-0";
  const timeoutMs = opts.readyTimeoutMs ?? 90_000;

  for (let attempt = 1; ; attempt++) {
    const set = new ComponentSet(dir, opts.tieToParent ?? true);
    try {
      const { server, kubeconfigPath, apiServer } = await boot(set, dir, assets, certs, creds, nodeName, timeoutMs);
      let stopping: Promise<void> | undefined;
      return {
        kubeconfigPath,
        server,
        dir,
        nodeName,
        pids: set.pids(),
        startedInMs: Date.now() - began,
        apiServer,
        stop: () => {
          stopping ??= set.stop().then(() => (ownDir ? rm(dir, { recursive: true, force: true }) : undefined));
          return stopping;
        },
      };
    } catch (err) {
      await set.stop(1_000);
      // Ports are picked by bind-and-release, so another process can take one in between.
      if (attempt < 3 && String((err as Error).message).includes("address already in use")) continue;
      throw new ControlPlaneError(`control plane failed to start (logs in ${dir}): ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}
