import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ENTRY = fileURLToPath(new URL("./app/main.ts", import.meta.url));
const INDEX = fileURLToPath(new URL("./app/index.html", import.meta.url));

/** One file of the built dashboard, named by a hash of its content so it can be cached for ever. */
export interface DashboardAsset {
  name: string;
  type: string;
  body: Uint8Array;
}

/** The built dashboard: its page (which names the hashed assets) and the assets themselves. */
export interface DashboardBundle {
  html: string;
  assets: Map<string, DashboardAsset>;
  /** Gzipped size of all JavaScript, for the 150 KB budget. */
  jsGzipBytes: number;
}

/** Why the dashboard could not be built (esbuild missing, or a source error); carries esbuild's error. */
export class DashboardBuildError extends Error {
  override readonly name = "DashboardBuildError";
}

/**
 * Bundles the browser app (Preact, htm, uPlot and its CSS) with esbuild into memory, minified,
 * once per process. Nothing is fetched from anywhere: every byte the page loads comes from here.
 */
export async function buildDashboard(): Promise<DashboardBundle> {
  let result: Awaited<ReturnType<typeof import("esbuild").build>>;
  try {
    const { build } = await import("esbuild");
    result = await build({
      entryPoints: [ENTRY],
      bundle: true,
      write: false,
      outdir: "out",
      format: "esm",
      target: "es2020",
      platform: "browser",
      minify: true,
      legalComments: "none",
      logLevel: "silent",
    });
  } catch (err) {
    throw new DashboardBuildError(`the dashboard could not be built: ${(err as Error).message}`, { cause: err });
  }
  const assets = new Map<string, DashboardAsset>();
  let js = "";
  let css = "";
  let jsGzipBytes = 0;
  for (const file of result.outputFiles ?? []) {
    const ext = file.path.endsWith(".css") ? "css" : file.path.endsWith(".js") ? "js" : undefined;
    if (!ext) continue;
    const hash = createHash("sha256").update(file.contents).digest("hex").slice(0, 16);
    const name = `app-${hash}.${ext}`;
    assets.set(name, {
      name,
      type: ext === "js" ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
      body: file.contents,
    });
    if (ext === "js") {
      js = name;
      jsGzipBytes += gzipSync(file.contents).length;
    } else css = name;
  }
  const html = readFileSync(INDEX, "utf8")
    .replace("%CSS%", css ? `<link rel="stylesheet" href="/dashboard/assets/${css}">` : "")
    .replace("%JS%", `<script type="module" src="/dashboard/assets/${js}"></script>`);
  return { html, assets, jsGzipBytes };
}

let built: Promise<DashboardBundle> | undefined;

/** The dashboard, built on first use and kept; a failed build is retried on the next call. */
export function dashboardBundle(): Promise<DashboardBundle> {
  built ??= buildDashboard().catch((err) => {
    built = undefined;
    throw err;
  });
  return built;
}
