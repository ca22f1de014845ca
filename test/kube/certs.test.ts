import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlaneCerts, generateCerts } from "../../scripts/k8s/certs.js";

const run = promisify(execFile);
const text = async (...args: string[]) => (await run("openssl", args)).stdout;

describe("generateCerts", () => {
  let dir: string;
  let certs: ControlPlaneCerts;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-certs-"));
    certs = await generateCerts(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("signs the serving and admin certificates with the CA", async () => {
    const out = await text("verify", "-CAfile", certs.caCert, certs.servingCert, certs.adminCert);
    expect(out).toContain(`${certs.servingCert}: OK`);
    expect(out).toContain(`${certs.adminCert}: OK`);
  });

  it("serves 127.0.0.1 and is usable only as a server certificate", async () => {
    const out = await text("x509", "-in", certs.servingCert, "-noout", "-ext", "subjectAltName,extendedKeyUsage");
    expect(out).toContain("IP Address:127.0.0.1");
    expect(out).toContain("TLS Web Server Authentication");
    expect(out).not.toContain("Client Authentication");
  });

  it("puts the admin in group system:masters with client auth", async () => {
    const subject = await text("x509", "-in", certs.adminCert, "-noout", "-subject");
    expect(subject).toMatch(/O\s*=\s*system:masters/);
    const ext = await text("x509", "-in", certs.adminCert, "-noout", "-ext", "extendedKeyUsage");
    expect(ext).toContain("TLS Web Client Authentication");
  });

  it("writes a service account key pair whose halves match", async () => {
    const derived = await text("pkey", "-in", certs.serviceAccountKey, "-pubout");
    const pub = await text("pkey", "-pubin", "-in", certs.serviceAccountPub);
    expect(derived).toBe(pub);
  });
});
