import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KubeRequestError, kubeRequest, writeKubeconfig } from "../../scripts/k8s/api.js";

describe("writeKubeconfig", () => {
  it("inlines the admin credentials and selects the cluster", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-kubeconfig-"));
    try {
      const path = join(dir, "kubeconfig");
      const creds = { ca: Buffer.from("CA"), cert: Buffer.from("CERT"), key: Buffer.from("KEY") };
      await writeKubeconfig(path, "https://127.0.0.1:6443", creds);
      const config = parse(await readFile(path, "utf8"));
      const context = config.contexts.find((c: { name: string }) => c.name === config["current-context"]).context;
      const cluster = config.clusters.find((c: { name: string }) => c.name === context.cluster).cluster;
      const user = config.users.find((u: { name: string }) => u.name === context.user).user;
      expect(cluster.server).toBe("https://127.0.0.1:6443");
      expect(Buffer.from(cluster["certificate-authority-data"], "base64").toString()).toBe("CA");
      expect(Buffer.from(user["client-certificate-data"], "base64").toString()).toBe("CERT");
      expect(Buffer.from(user["client-key-data"], "base64").toString()).toBe("KEY");
      // A private key is inside: not world-readable.
      expect((await stat(path)).mode & 0o077).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("kubeRequest", () => {
  it("refuses any host but 127.0.0.1", () => {
    expect(() => kubeRequest("https://10.0.0.1/healthz")).toThrow(KubeRequestError);
    expect(() => kubeRequest("https://localhost:6443/healthz")).toThrow(/only 127\.0\.0\.1/);
  });

  it("turns a refused connection into a KubeRequestError", async () => {
    const { freePort } = await import("../helpers/kube.js");
    const port = await freePort();
    await expect(kubeRequest(`https://127.0.0.1:${port}/healthz`)).rejects.toBeInstanceOf(KubeRequestError);
  });
});
