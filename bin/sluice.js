#!/usr/bin/env node
// Starts the CLI from its JavaScript build (dist/cli, made by `npm ci`: scripts/build-cli.mjs) when
// that build is current, else from the TypeScript sources through tsx, so a fresh clone needs no
// build step and an edited source is never shadowed by an old build.
import { readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);

// Commands whose code finds files next to its own sources (the router's worker, the demo's app,
// this script): they run from the sources, where those paths hold. A new command starts here too
// until it is listed as safe to run from the build.
const FROM_SOURCES = new Set(["up", "down", "demo", "controller", "dashboard", "cluster"]);

/** The command word: the first argument that is not an option or a global option's value. */
function commandOf(args) {
  const takesValue = new Set(["--state-dir", "--kubeconfig", "--context", "-n", "--namespace"]);
  for (let i = 0; i < args.length; i++) {
    if (takesValue.has(args[i])) i++;
    else if (!args[i].startsWith("-")) return args[i];
  }
  return undefined;
}

/** True when dist/cli exists and every source file it was built from is unchanged since. */
function buildIsCurrent() {
  if (process.env.SLUICE_FROM_SOURCES) return false;
  try {
    const inputs = JSON.parse(readFileSync(new URL("dist/cli/inputs.json", root), "utf8"));
    for (const [file, mtimeMs] of Object.entries(inputs))
      if (statSync(new URL(file, root)).mtimeMs !== mtimeMs) return false;
    return true;
  } catch {
    return false;
  }
}

const args = process.argv.slice(2);
// The version alone needs nothing but package.json (scripts call it to check what is installed).
if (args.length === 1 && ["--version", "-v", "version"].includes(args[0])) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL("package.json", root), "utf8")).version}\n`);
} else if (!FROM_SOURCES.has(commandOf(args)) && buildIsCurrent()) {
  await import(new URL("dist/cli/main.js", root).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(new URL("src/cli/main.ts", root).href);
}
