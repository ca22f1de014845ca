import { readFile, writeFile } from "node:fs/promises";
import { request } from "node:https";

/** TLS material for talking to a control plane as its admin. */
export interface AdminCredentials {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** A request to a control-plane component that did not get a response. */
export class KubeRequestError extends Error {
  override readonly name = "KubeRequestError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Loads the admin credentials from PEM files. */
export async function loadCredentials(paths: { caCert: string; adminCert: string; adminKey: string }) {
  const [ca, cert, key] = await Promise.all([
    readFile(paths.caCert),
    readFile(paths.adminCert),
    readFile(paths.adminKey),
  ]);
  return { ca, cert, key } satisfies AdminCredentials;
}

/**
 * One HTTPS request to a component on 127.0.0.1. Without credentials the server's certificate is
 * not verified: kube-controller-manager and kube-scheduler serve self-signed certificates, and only
 * their /healthz is asked for.
 */
export function kubeRequest(
  url: string,
  opts: { method?: string; body?: unknown; credentials?: AdminCredentials; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  if (target.hostname !== "127.0.0.1") throw new KubeRequestError(`refusing to contact ${target.host}: only 127.0.0.1`);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: opts.method ?? "GET",
        headers: payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {},
        ...(opts.credentials ?? { rejectUnauthorized: false }),
        timeout: opts.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", (err) => reject(new KubeRequestError(`${url}: ${err.message}`, { cause: err })));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (err) => reject(new KubeRequestError(`${url}: ${err.message}`, { cause: err })));
    req.end(payload);
  });
}

/** Writes a self-contained kubeconfig (certificates inlined) for the admin user. */
export async function writeKubeconfig(path: string, server: string, creds: AdminCredentials): Promise<void> {
  const b64 = (b: Buffer) => b.toString("base64");
  const text = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: sluice-test",
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(creds.ca)}`,
    "users:",
    "- name: sluice-admin",
    "  user:",
    `    client-certificate-data: ${b64(creds.cert)}`,
    `    client-key-data: ${b64(creds.key)}`,
    "contexts:",
    "- name: sluice-test",
    "  context:",
    "    cluster: sluice-test",
    "    user: sluice-admin",
    "current-context: sluice-test",
    "",
  ].join("\n");
  await writeFile(path, text, { mode: 0o600 });
}
