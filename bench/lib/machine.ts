import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";

/** The facts a benchmark result needs next to it to mean anything. */
export interface Machine {
  nproc: number;
  cpu: string;
  node: string;
  loadAverage: string;
  tools: Record<string, string>;
}

/** Describes this machine: core count, CPU model, Node version, load, and the versions of `tools`. */
export function describeMachine(tools: Record<string, string[]> = {}): Machine {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    // Not Linux: os.cpus() is good enough.
  }
  const versions: Record<string, string> = {};
  for (const [name, argv] of Object.entries(tools)) versions[name] = commandOutput(argv);
  return {
    nproc: Number(commandOutput(["nproc"])) || cpus().length,
    cpu,
    node: process.version,
    loadAverage: loadavg()
      .map((l) => l.toFixed(2))
      .join(" "),
    tools: versions,
  };
}

function commandOutput(argv: string[]): string {
  // Some tools (nginx -v, wrk -v) print their version on stderr, or exit non-zero after printing it.
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  if (r.error) return "not installed";
  return `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n")[0] ?? "";
}
