import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PipelineStage } from "../../../model/pipeline.js";
import {
  CLUSTER_NAME_LABEL,
  ClusterConfigError,
  checkClusterName,
  clusterSecret,
  KUBECONFIG_KEY,
  minimalKubeconfig,
  readClusterSecret,
} from "./cluster-secret.js";

const CA = Buffer.from("-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n").toString("base64");
const TOKEN = "s3cret-token-value";

function kubeconfig(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: "c", cluster: { server: "https://127.0.0.1:6443", "certificate-authority-data": CA, ...cluster } },
      ],
      users: [{ name: "u", user }],
      contexts: [
        { name: "prod", context: { cluster: "c", user: "u" } },
        { name: "other", context: { cluster: "c", user: "u" } },
      ],
      "current-context": "other",
    }),
  );
  return kc;
}

const by = { actor: "alice@example.com", at: new Date("2026-12-04T10:00:00Z"), namespace: "delivery" };

describe("minimalKubeconfig", () => {
  it("keeps one context with the server, CA and token", () => {
    const text = minimalKubeconfig(kubeconfig({ token: TOKEN }), "prod");
    const kc = new KubeConfig();
    kc.loadFromString(text);
    expect(kc.getContexts()).toHaveLength(1);
    expect(kc.getCurrentCluster()).toMatchObject({ server: "https://127.0.0.1:6443", caData: CA });
    expect(kc.getCurrentUser()?.token).toBe(TOKEN);
  });

  it("inlines client certificate files", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-cluster-"));
    writeFileSync(join(dir, "c.pem"), "CERT");
    writeFileSync(join(dir, "k.pem"), "KEY");
    const text = minimalKubeconfig(
      kubeconfig({ "client-certificate": join(dir, "c.pem"), "client-key": join(dir, "k.pem") }),
    );
    const kc = new KubeConfig();
    kc.loadFromString(text);
    expect(Buffer.from(kc.getCurrentUser()?.certData ?? "", "base64").toString()).toBe("CERT");
    expect(Buffer.from(kc.getCurrentUser()?.keyData ?? "", "base64").toString()).toBe("KEY");
    expect(text).not.toContain(dir);
  });

  it.each([
    ["an exec plugin", { exec: { command: "aws", apiVersion: "client.authentication.k8s.io/v1" } }, {}, /exec/],
    ["no credentials", { username: "x" }, {}, /neither a token nor a client certificate/],
    ["TLS verification off", { token: TOKEN }, { "insecure-skip-tls-verify": true }, /insecure-skip-tls-verify/],
    ["plain http", { token: TOKEN }, { server: "http://127.0.0.1:8080" }, /not https/],
  ])("refuses %s", (_what, user, cluster, message) => {
    expect(() => minimalKubeconfig(kubeconfig(user, cluster), "prod")).toThrow(message);
  });

  it("names a missing context", () => {
    expect(() => minimalKubeconfig(kubeconfig({ token: TOKEN }), "nope")).toThrow(ClusterConfigError);
  });
});

describe("cluster Secrets", () => {
  it("round-trips: labelled, attributed, usable, and shows no credentials", () => {
    const secret = clusterSecret("prod-eu", minimalKubeconfig(kubeconfig({ token: TOKEN })), by);
    expect(secret.metadata).toMatchObject({
      name: "sluice-cluster-prod-eu",
      namespace: "delivery",
      labels: { [CLUSTER_NAME_LABEL]: "prod-eu" },
      annotations: { "sluice.dev/added-by": "alice@example.com", "sluice.dev/added-at": "2026-12-04T10:00:00.000Z" },
    });
    const { entry, kc } = readClusterSecret(secret);
    expect(entry).toEqual({
      name: "prod-eu",
      server: "https://127.0.0.1:6443",
      addedBy: "alice@example.com",
      addedAt: "2026-12-04T10:00:00.000Z",
    });
    expect(kc?.getCurrentUser()?.token).toBe(TOKEN);
    expect(JSON.stringify(entry)).not.toContain(TOKEN);
  });

  it("a hand-written Secret with an exec plugin is unusable, and its problem quotes nothing of it", () => {
    const kc = kubeconfig({ exec: { command: "steal", apiVersion: "client.authentication.k8s.io/v1" }, token: TOKEN });
    const raw = JSON.stringify({
      clusters: kc.clusters.map((c) => ({ name: c.name, cluster: { server: c.server } })),
      users: [{ name: "u", user: { token: TOKEN, exec: { command: "steal", apiVersion: "v1" } } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    });
    const read = readClusterSecret({
      metadata: { name: "sluice-cluster-x", labels: { [CLUSTER_NAME_LABEL]: "x" } },
      data: { [KUBECONFIG_KEY]: Buffer.from(raw).toString("base64") },
    });
    expect(read.kc).toBeUndefined();
    expect(read.entry.problem).toMatch(/exec/);
    expect(read.entry.problem).not.toContain(TOKEN);
  });

  it("a Secret without data or with garbage is unusable, never a throw", () => {
    expect(readClusterSecret({ metadata: { name: "s" } }).entry.problem).toMatch(/no data.kubeconfig/);
    expect(readClusterSecret({ metadata: { name: "s" }, data: { kubeconfig: "%%%" } }).kc).toBeUndefined();
  });

  it("property: any Secret content gives an entry or a problem, never a throw nor its content echoed", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (content) => {
        const marker = `MARK${content.length}X`;
        const raw = Buffer.from(`${content}\ntoken: ${marker}`).toString("base64");
        const { entry } = readClusterSecret({ metadata: { name: "s" }, data: { kubeconfig: raw } });
        expect(JSON.stringify(entry)).not.toContain(marker);
      }),
      { numRuns: 300 },
    );
  });
});

describe("cluster names", () => {
  it("property: a stage's cluster parses exactly when cluster add accepts the name", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[a-z0-9-]{1,50}$/)), (name) => {
        const stage = PipelineStage.safeParse({ name: "s", rollout: "r", cluster: name });
        let accepted = true;
        try {
          checkClusterName(name);
        } catch (err) {
          expect(err).toBeInstanceOf(ClusterConfigError);
          accepted = false;
        }
        expect(stage.success).toBe(accepted);
        if (accepted) expect(clusterSecret(name, "{}", by).metadata.name.length).toBeLessThanOrEqual(63);
      }),
      { numRuns: 500 },
    );
  });
});
