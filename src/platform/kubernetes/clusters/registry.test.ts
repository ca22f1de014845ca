import { createServer, type Server, type Socket } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, describe, expect, it } from "vitest";
import { CLUSTER_NAME_LABEL, clusterSecret } from "./cluster-secret.js";
import { listClusters, probeCluster, probeReason } from "./registry.js";

function kcFor(port: number): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `https://127.0.0.1:${port}`, skipTLSVerify: false }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function listen(s: Server): Promise<number> {
  server = s;
  s.on("connection", (socket) => sockets.add(socket));
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve((s.address() as { port: number }).port)));
}

describe("probeCluster", () => {
  it("a port nobody listens on is unreachable, with the connection error as reason", async () => {
    const port = await listen(createServer());
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const probe = await probeCluster(kcFor(port), 2_000);
    expect(probe).toMatchObject({ reachable: false, error: "ECONNREFUSED" });
  });

  it("a server that accepts and never answers is unreachable after the timeout", async () => {
    const port = await listen(createServer(() => {}));
    const started = Date.now();
    const probe = await probeCluster(kcFor(port), 300);
    expect(probe).toMatchObject({ reachable: false, error: "timeout" });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe("probeReason", () => {
  it("prefers codes and keeps one short line", () => {
    expect(probeReason({ code: 403 })).toBe("HTTP 403");
    expect(probeReason({ cause: { code: "ECONNRESET" } })).toBe("ECONNRESET");
    expect(probeReason(new Error(`first\n${"x".repeat(500)}`))).toBe("first");
  });
});

describe("listClusters", () => {
  it("asks for labelled Secrets only and sorts them by name", async () => {
    const kubeconfig = JSON.stringify({
      clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
      users: [{ name: "u", user: { token: "t" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    });
    const by = { actor: "a", at: new Date(), namespace: "ns" };
    let asked: unknown;
    const core = {
      listNamespacedSecret: async (req: unknown) => {
        asked = req;
        return { items: [clusterSecret("zeta", kubeconfig, by), clusterSecret("alpha", kubeconfig, by)] };
      },
    } as unknown as Parameters<typeof listClusters>[0];
    const clusters = await listClusters(core, "ns");
    expect(asked).toEqual({ namespace: "ns", labelSelector: `sluice.dev/secret-type=cluster,${CLUSTER_NAME_LABEL}` });
    expect(clusters.map((c) => c.entry.name)).toEqual(["alpha", "zeta"]);
    expect(clusters.every((c) => c.kc !== undefined)).toBe(true);
  });
});
