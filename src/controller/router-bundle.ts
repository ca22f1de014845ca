import { mkdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROUTER_DIR = fileURLToPath(new URL("../platform/local/router/", import.meta.url));
// Inside the package, so the bundle's imports of installed packages resolve as the sources' do.
const CACHE = fileURLToPath(new URL("../../node_modules/.cache/sluice/router", import.meta.url));

/**
 * Compiles the router (its primary and its worker) to plain JavaScript, so that starting it does
 * not transpile TypeScript on every start: a router killed under load serves again sooner.
 * Installed packages stay imports (`re2` is native). Files are renamed into place, so a router
 * starting meanwhile reads a whole file. Returns the primary's path.
 */
export async function bundleRouter(outDir: string = CACHE): Promise<string> {
  const { build } = await import("esbuild");
  const tmp = `${outDir}.${process.pid}.tmp`;
  try {
    await build({
      entryPoints: [path.join(ROUTER_DIR, "main.ts"), path.join(ROUTER_DIR, "worker.ts")],
      outdir: tmp,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      outExtension: { ".js": ".mjs" },
      logLevel: "silent",
    });
    mkdirSync(outDir, { recursive: true });
    // The worker first: a primary from this build must find its worker.
    for (const f of ["worker.mjs", "main.mjs"]) renameSync(path.join(tmp, f), path.join(outDir, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return path.join(outDir, "main.mjs");
}

let prepared: Promise<string[]> | undefined;

/**
 * The node arguments that start the router: its bundle, built once per process, or its
 * TypeScript through tsx when the bundle cannot be built (no esbuild, a read-only install).
 */
export function routerCommand(): Promise<string[]> {
  prepared ??= bundleRouter().then(
    (main) => [main],
    () => ["--import", "tsx", path.join(ROUTER_DIR, "main.ts")],
  );
  return prepared;
}
