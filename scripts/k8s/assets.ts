import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The programs a test control plane runs, named as in a KUBEBUILDER_ASSETS directory. */
export const KUBE_BINARIES = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"] as const;

/** One of {@link KUBE_BINARIES}. */
export type KubeBinary = (typeof KUBE_BINARIES)[number];

/** File name of the flattened kwok stage manifests that build.sh writes beside the binaries. */
export const KWOK_STAGES_FILE = "kwok-stages.yaml";

/** Absolute paths of every file a control plane needs. */
export type KubeAssets = Record<KubeBinary, string> & { kwokStages: string };

/** The control-plane binaries could not be found or built. */
export class KubeAssetsError extends Error {
  override readonly name = "KubeAssetsError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Path of the script that builds the binaries into ~/.cache/sluice-k8s and prints their directory. */
export const BUILD_SCRIPT = fileURLToPath(new URL("./build.sh", import.meta.url));

/** The envtest override for one asset, e.g. `kube-apiserver` -> `TEST_ASSET_KUBE_APISERVER`. */
export function assetEnvVar(name: KubeBinary | typeof KWOK_STAGES_FILE): string {
  const base = name === KWOK_STAGES_FILE ? "kwok-stages" : name;
  return `TEST_ASSET_${base.toUpperCase().replaceAll("-", "_")}`;
}

function usable(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves assets the way envtest does: a `TEST_ASSET_*` variable wins, then the file in
 * `KUBEBUILDER_ASSETS`, then the file in `fallbackDir` (the build cache). Returns what is missing
 * rather than throwing, so callers can decide whether to build.
 */
export function resolveAssets(
  env: NodeJS.ProcessEnv,
  fallbackDir?: string,
): { assets: Partial<KubeAssets>; missing: string[] } {
  const dirs = [env.KUBEBUILDER_ASSETS, fallbackDir].filter((d): d is string => Boolean(d));
  const assets: Partial<KubeAssets> = {};
  const missing: string[] = [];
  const find = (file: string, mode: number, override: string | undefined): string | undefined => {
    if (override) return usable(override, mode) ? override : undefined;
    return dirs.map((d) => join(d, file)).find((p) => usable(p, mode));
  };
  for (const bin of KUBE_BINARIES) {
    const path = find(bin, constants.X_OK, env[assetEnvVar(bin)]);
    if (path) assets[bin] = path;
    else missing.push(bin);
  }
  const stages = find(KWOK_STAGES_FILE, constants.R_OK, env[assetEnvVar(KWOK_STAGES_FILE)]);
  if (stages) assets.kwokStages = stages;
  else missing.push(KWOK_STAGES_FILE);
  return { assets, missing };
}

function isComplete(assets: Partial<KubeAssets>, missing: string[]): assets is KubeAssets {
  return missing.length === 0;
}

/** Runs build.sh; with `checkOnly` it never compiles and resolves undefined when nothing is cached. */
export function runBuildScript(opts: { checkOnly?: boolean } = {}): Promise<string | undefined> {
  const args = [BUILD_SCRIPT, ...(opts.checkOnly ? ["--check"] : [])];
  return new Promise((resolve, reject) => {
    const child = execFile("bash", args, { maxBuffer: 1 << 20 }, (err, stdout) => {
      const lastLine = stdout.trim().split("\n").at(-1)?.trim();
      if (!err && lastLine) return resolve(lastLine);
      if (opts.checkOnly && (err as { code?: number } | null)?.code === 3) return resolve(undefined);
      reject(new KubeAssetsError(`${BUILD_SCRIPT} failed${err ? `: ${err.message.trim()}` : ""}`, { cause: err }));
    });
    // Progress lines of a cold build (20-30 minutes) should be visible, not swallowed.
    child.stderr?.pipe(process.stderr);
  });
}

/**
 * Finds the control-plane assets. When some are missing from the environment it asks build.sh for
 * its cache directory, building there first unless `build` is false. Resolves undefined only when
 * `build` is false and nothing usable exists.
 */
export async function findKubeAssets(
  opts: { build?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<KubeAssets | undefined> {
  const env = opts.env ?? process.env;
  const direct = resolveAssets(env);
  if (isComplete(direct.assets, direct.missing)) return direct.assets;
  const cacheDir = await runBuildScript({ checkOnly: opts.build === false });
  if (!cacheDir) return undefined;
  const cached = resolveAssets(env, cacheDir);
  if (isComplete(cached.assets, cached.missing)) return cached.assets;
  throw new KubeAssetsError(`missing ${cached.missing.join(", ")} (looked in env overrides and ${cacheDir})`);
}
