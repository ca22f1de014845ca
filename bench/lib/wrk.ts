import { execFileSync } from "node:child_process";

/** One load-generator run: throughput and latency percentiles in milliseconds. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx responses plus socket errors. */
  errors: number;
  tool: "wrk" | "autocannon";
}

/** Which load tool is available: wrk from Debian is preferred, autocannon (devDependency) otherwise. */
export function loadTool(): "wrk" | "autocannon" {
  try {
    execFileSync("wrk", ["-v"], { stdio: "ignore" });
    return "wrk";
  } catch (err) {
    // wrk -v exits 1 after printing its version.
    if ((err as { status?: number }).status === 1) return "wrk";
    return "autocannon";
  }
}

/** Runs the load tool against `url` with keep-alive connections and parses its report. */
export function runLoad(url: string, opts: { connections: number; threads: number; seconds: number }): LoadResult {
  if (loadTool() === "wrk") {
    const out = execFileSync(
      "wrk",
      [`-t${opts.threads}`, `-c${opts.connections}`, `-d${opts.seconds}s`, "--latency", url],
      { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
    );
    return parseWrk(out);
  }
  const out = execFileSync(
    "npx",
    ["autocannon", "--json", "-c", String(opts.connections), "-d", String(opts.seconds), url],
    { encoding: "utf8", maxBuffer: 16 * 1024 * 1024, stdio: ["ignore", "pipe", "ignore"] },
  );
  const r = JSON.parse(out) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    requestsPerSecond: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    errors: r.errors + r.non2xx,
    tool: "autocannon",
  };
}

/** Parses wrk's `--latency` report. */
export function parseWrk(text: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s)\s*$/m.exec(text);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\s*$/m.exec(text);
  if (!rps || !p50 || !p99) throw new Error(`cannot parse wrk output:\n${text}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: toMs(Number(p50[1]), p50[2]!),
    p99Ms: toMs(Number(p99[1]), p99[2]!),
    errors: Number(non2xx?.[1] ?? 0) + socketErrors,
    tool: "wrk",
  };
}

function toMs(value: number, unit: string): number {
  return unit === "us" ? value / 1000 : unit === "s" ? value * 1000 : value;
}
