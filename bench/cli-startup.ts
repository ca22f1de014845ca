/**
 * CLI start-up: wall time, CPU time and peak memory of `sluice --version` (answered by the launcher
 * from package.json), `sluice --help` (the whole command tree) and `sluice get rollouts` (against a
 * running local controller with one rollout), from the JavaScript build (dist/cli, made by
 * `npm ci`) and from the TypeScript sources through tsx, side by side with `node -e 0`, the floor
 * any Node program pays. Each row is the median and the worst of --runs cold processes.
 *
 *   npx tsx bench/cli-startup.ts [--runs 15]
 *
 * Rebuilds dist/cli first (scripts/build-cli.mjs), so the build row measures the current sources.
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { renderTable } from "../src/cli/format/table.js";
import { startLocalRuntime } from "../src/controller/local-runtime.js";
import { describeMachine } from "./lib/machine.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const execFileAsync = promisify(execFile);
const RUNS = Number(values.runs);
const REPO = fileURLToPath(new URL("../", import.meta.url));
const BIN = path.join(REPO, "bin/sluice.js");

/**
 * One cold process: wall milliseconds and peak resident memory (MB), from GNU time. Asynchronous:
 * the controller the CLI asks runs in this process and must keep answering meanwhile.
 */
async function measure(argv: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const started = process.hrtime.bigint();
  const r = await execFileAsync("/usr/bin/time", ["-f", "%M %U %S", ...argv], { env, encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const [kb, user, sys] = (r.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  return { ms, mb: (kb ?? 0) / 1024, cpuMs: ((user ?? 0) + (sys ?? 0)) * 1000 };
}

/** Wall time suffers from other processes on a busy machine; CPU time (user + system) much less. */
interface Sample {
  ms: number;
  mb: number;
  cpuMs: number;
}

async function row(label: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  await measure(argv, env); // warm the file cache (and tsx's transform cache) once, as a second run would
  const runs: Sample[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await measure(argv, env));
  const sorted = (k: keyof Sample) => runs.map((r) => r[k]).sort((a, b) => a - b);
  const mid = Math.floor(RUNS / 2);
  const [ms, cpu, mb] = [sorted("ms"), sorted("cpuMs"), sorted("mb")];
  const n = (v: number | undefined) => `${Math.round(v ?? 0)}`;
  return [label, n(ms[mid]), n(ms.at(-1)), n(cpu[mid]), n(mb[mid])];
}

const built = spawnSync(process.execPath, [path.join(REPO, "scripts/build-cli.mjs")], { encoding: "utf8" });
if (!/built dist\/cli/.test(built.stdout)) throw new Error(`build failed: ${built.stdout}${built.stderr}`);

const stateDir = mkdtempSync(path.join(os.tmpdir(), "sluice-cli-bench-"));
const runtime = await startLocalRuntime({ stateDir, listen: "127.0.0.1:0", apiListen: "127.0.0.1:0" });
try {
  await runtime.controller.apply([
    {
      apiVersion: "sluice.dev/v1alpha1",
      kind: "Rollout",
      metadata: { name: "bench" },
      spec: {
        replicas: 1,
        template: {
          process: { command: process.execPath, args: ["--import", "tsx", path.join(REPO, "demo/app/server.ts")] },
        },
        strategy: { canary: { steps: [] } },
      },
    },
  ]);
  const fromSources = { ...process.env, SLUICE_FROM_SOURCES: "1" };
  const node = process.execPath;
  const get = [BIN, "--state-dir", stateDir, "get", "rollouts"];
  const rows = [
    await row("node -e 0 (reference)", [node, "-e", "0"]),
    await row("sluice --version", [node, BIN, "--version"]),
    await row("sluice --help (build)", [node, BIN, "--help"]),
    await row("sluice get rollouts (build)", [node, ...get]),
    await row("sluice --help (sources, tsx)", [node, BIN, "--help"], fromSources),
    await row("sluice get rollouts (sources, tsx)", [node, ...get], fromSources),
  ];
  console.log(JSON.stringify(describeMachine()));
  console.log(`${RUNS} cold runs each (after one warm-up run)\n`);
  console.log(renderTable(["COMMAND", "MEDIAN ms", "WORST ms", "MEDIAN CPU ms", "PEAK RSS MB"], rows));
} finally {
  await runtime.stop({ stopDataPlane: true });
  rmSync(stateDir, { recursive: true, force: true });
}
