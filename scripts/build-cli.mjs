#!/usr/bin/env node
// Builds the CLI to JavaScript (dist/cli/) so a command starts without transpiling TypeScript on
// every run. `npm ci` runs it (the `prepare` script); bin/sluice.js uses the build only while every
// source file it was built from is unchanged, and otherwise runs the sources through tsx, so a
// stale or failed build is never run. It never fails an install: on error it says so and exits 0.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
// `--out dist/NAME` builds elsewhere (tests); it must stay two levels down, as modules find
// package.json at ../../ from their chunk.
const outArg = process.argv.indexOf("--out");
const name = outArg > 0 ? process.argv[outArg + 1] : "dist/cli";
if (!/^dist\/[\w.-]+$/.test(name ?? "")) {
  console.error(`build-cli: --out must be dist/NAME, got ${name}`);
  process.exit(2);
}
const out = `${root}${name}`;
const tmp = `${out}.${process.pid}.tmp`;

try {
  const { build } = await import("esbuild");
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    // The condition worker is a child process's entry; condition-sandbox.ts finds it beside itself.
    entryPoints: ["src/cli/main.ts", "src/analysis/condition-worker.ts"],
    outdir: tmp,
    bundle: true,
    // Each command's module is its own chunk, loaded when the command runs (as in the sources).
    splitting: true,
    entryNames: "[name]",
    format: "esm",
    platform: "node",
    target: "node20",
    // Dependencies load from node_modules as usual (native modules, the Kubernetes client).
    packages: "external",
    metafile: true,
    sourcemap: "linked",
    logLevel: "warning",
  });
  // What bin/sluice.js checks before trusting the build: every input and its modification time.
  const inputs = Object.fromEntries(
    Object.keys(result.metafile.inputs).map((file) => [file, statSync(`${root}${file}`).mtimeMs]),
  );
  writeFileSync(`${tmp}/inputs.json`, JSON.stringify(inputs));
  // Swapped in whole, so a CLI started meanwhile sees the old build or the new one, never half.
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  console.log(`built ${name} from ${Object.keys(inputs).length} source files`);
} catch (err) {
  rmSync(tmp, { recursive: true, force: true });
  console.warn(`warning: the CLI was not built (${err?.message ?? err}); it will run from the TypeScript sources`);
}
