import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Paths of the PEM files a test control plane uses; all live in one directory. */
export interface ControlPlaneCerts {
  caCert: string;
  caKey: string;
  /** kube-apiserver's serving certificate, valid for 127.0.0.1 and localhost. */
  servingCert: string;
  servingKey: string;
  /** Client certificate in group system:masters, for the admin kubeconfig. */
  adminCert: string;
  adminKey: string;
  /** Key pair that signs and verifies service account tokens. */
  serviceAccountKey: string;
  serviceAccountPub: string;
}

/** openssl failed while generating the control plane's certificates. */
export class CertificateError extends Error {
  override readonly name = "CertificateError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run("openssl", args);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new CertificateError(`openssl ${args[0]} failed${stderr ? `: ${stderr}` : ""}`, { cause: err });
  }
}

// EC keys: generating RSA keys costs seconds of CPU that the shared 2 cores don't have.
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const DAYS = "30";

async function issue(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  const csr = join(dir, `${name}.csr`);
  await openssl(["req", "-new", ...EC_KEY, "-keyout", key, "-out", csr, "-subj", subject]);
  await openssl(
    ["x509", "-req", "-in", csr, "-CA", join(dir, "ca.crt"), "-CAkey", join(dir, "ca.key")].concat([
      "-CAcreateserial",
      "-days",
      DAYS,
      "-extfile",
      ext,
      "-out",
      cert,
    ]),
  );
  return { cert, key };
}

/**
 * Creates a fresh CA, the API server's serving certificate, an admin client certificate and the
 * service account key pair in `dir`, using the openssl CLI.
 */
export async function generateCerts(dir: string): Promise<ControlPlaneCerts> {
  const caCert = join(dir, "ca.crt");
  const caKey = join(dir, "ca.key");
  await openssl(
    ["req", "-x509", ...EC_KEY, "-keyout", caKey, "-out", caCert, "-days", DAYS]
      .concat(["-subj", "/CN=sluice-test-ca", "-addext", "basicConstraints=critical,CA:TRUE"])
      .concat(["-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"]),
  );
  // The in-cluster names are included so certificates look like a real API server's; traffic only ever
  // goes to 127.0.0.1.
  const sans = [
    "IP:127.0.0.1",
    "IP:10.0.0.1",
    "DNS:localhost",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
  ];
  const serving = await issue(
    dir,
    "apiserver",
    "/CN=kube-apiserver",
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans.join(",")}\n`,
  );
  const admin = await issue(
    dir,
    "admin",
    "/O=system:masters/CN=sluice-admin",
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n",
  );
  const serviceAccountKey = join(dir, "sa.key");
  const serviceAccountPub = join(dir, "sa.pub");
  await openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-out", serviceAccountKey]);
  await openssl(["pkey", "-in", serviceAccountKey, "-pubout", "-out", serviceAccountPub]);
  return {
    caCert,
    caKey,
    servingCert: serving.cert,
    servingKey: serving.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    serviceAccountKey,
    serviceAccountPub,
  };
}
