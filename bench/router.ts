/**
 * Router benchmark: the same small HTTP backend measured directly, through the Sluice router (50/50
 * split over two replicas) and through nginx (weights 1/1, keep-alive upstreams), with wrk at 64
 * keep-alive connections. Not a test: it prints a table for docs/benchmarks.md.
 *
 * A second, shorter pass uses one connection, so latency there is the cost of the hop itself rather
 * than queueing behind 63 other connections.
 *
 *   npx tsx bench/router.ts [--seconds 10] [--rounds 1] [--connections 64] [--single-seconds 5] [--markdown]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { RouterClient } from "../src/platform/local/router/router-client.js";
import { describeMachine } from "./lib/machine.js";
import { type LoadResult, loadTool, runLoad } from "./lib/wrk.js";

const ROUTER_MAIN = fileURLToPath(new URL("../src/platform/local/router/main.ts", import.meta.url));

/** A replica: answers every request with a small fixed body, like a health or version endpoint. */
const BACKEND = `
  const http = require("node:http");
  const body = Buffer.from(JSON.stringify({ ok: true, replica: process.argv[1] }));
  const server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

const children: ChildProcess[] = [];

function cleanup(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
}
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));

async function startBackend(name: string): Promise<string> {
  const child = spawn(process.execPath, ["-e", BACKEND, name], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  return `127.0.0.1:${Number(line.toString().trim())}`;
}

async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startRouter(dir: string, replicas: [string, string]): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const log = openSync(path.join(dir, "router.log"), "a");
  const argv = ["--import", "tsx", ROUTER_MAIN, "--state-dir", dir, "--listen", "127.0.0.1:0"];
  const child = spawn(process.execPath, argv, { stdio: ["ignore", log, log] });
  children.push(child);
  const info = path.join(dir, "router.json");
  await waitUntil(() => existsSync(info), "router start");
  const client = new RouterClient(path.join(dir, "router.sock"));
  await waitUntil(() => client.healthy(), "router health");
  await client.putConfig({
    generation: 1,
    rollouts: [
      {
        rollout: "bench",
        hosts: ["bench"],
        default: true,
        backends: [
          { revision: "a", endpoints: [replicas[0]] },
          { revision: "b", endpoints: [replicas[1]] },
        ],
        traffic: { weights: { a: 50, b: 50 }, headerRoutes: [], mirrorRoutes: [] },
      },
    ],
  });
  await client.close();
  return (JSON.parse(readFileSync(info, "utf8")) as { listen: string }).listen;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

async function startNginx(dir: string, replicas: [string, string]): Promise<string> {
  const port = await freePort();
  // One worker: the router is one process, so this compares like with like.
  const conf = `
${process.getuid?.() === 0 ? "user root;" : ""}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream replicas {
    server ${replicas[0]} weight=1;
    server ${replicas[1]} weight=1;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
  const confFile = path.join(dir, "nginx.conf");
  writeFileSync(confFile, conf);
  const child = spawn("nginx", ["-p", dir, "-c", confFile, "-e", path.join(dir, "error.log")], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  await waitUntil(async () => {
    if (child.exitCode !== null) throw new Error(`nginx exited; see ${dir}/error.log`);
    return fetch(`http://127.0.0.1:${port}/`).then(
      (r) => r.ok,
      () => false,
    );
  }, "nginx start");
  return `127.0.0.1:${port}`;
}

/** One target's measured result. */
interface Row {
  name: string;
  result: LoadResult;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(url: string, opts: { seconds: number; connections: number; rounds: number }): LoadResult {
  const threads = Math.min(2, opts.connections);
  runLoad(url, { connections: opts.connections, threads, seconds: 2 }); // warm-up: JIT, pools, connections
  const runs = Array.from({ length: opts.rounds }, () =>
    runLoad(url, { connections: opts.connections, threads, seconds: opts.seconds }),
  );
  return {
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    tool: runs[0]!.tool,
  };
}

function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

function table(rows: Row[], markdown: boolean): string {
  const direct = rows.find((r) => r.name === "direct")!.result;
  const nginx = rows.find((r) => r.name === "nginx")?.result;
  const header = [
    "target",
    "req/s",
    "p50 ms",
    "p99 ms",
    "vs direct",
    "vs nginx",
    "added p50 ms",
    "added p99 ms",
    "errors",
  ];
  const lines = rows.map(({ name, result: r }) => [
    name,
    fmt(r.requestsPerSecond, 0),
    fmt(r.p50Ms),
    fmt(r.p99Ms),
    `${fmt(r.requestsPerSecond / direct.requestsPerSecond)}x`,
    nginx ? `${fmt(r.requestsPerSecond / nginx.requestsPerSecond)}x` : "-",
    name === "direct" ? "-" : fmt(r.p50Ms - direct.p50Ms),
    name === "direct" ? "-" : fmt(r.p99Ms - direct.p99Ms),
    String(r.errors),
  ]);
  if (markdown) {
    return [header, header.map(() => "---"), ...lines].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
  }
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  return [header, ...lines].map((cells) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "10" },
      rounds: { type: "string", default: "1" },
      connections: { type: "string", default: "64" },
      "single-seconds": { type: "string", default: "5" },
      markdown: { type: "boolean", default: false },
    },
  });
  const opts = {
    seconds: Number(values.seconds),
    rounds: Number(values.rounds),
    connections: Number(values.connections),
  };
  const dir = mkdtempSync(path.join(tmpdir(), "sluice-bench-router-"));
  try {
    const replicas: [string, string] = [await startBackend("a"), await startBackend("b")];
    const routerAddr = await startRouter(path.join(dir, "router"), replicas);
    let nginxAddr: string | undefined;
    try {
      nginxAddr = await startNginx(dir, replicas);
    } catch (err) {
      console.error(`nginx not measured: ${(err as Error).message}`);
    }
    const machine = describeMachine({ nginx: ["nginx", "-v"], wrk: ["wrk", "-v"] });
    const targets: [string, string][] = [
      ["direct", `http://${replicas[0]}/`],
      ["sluice router", `http://${routerAddr}/`],
      ...(nginxAddr ? [["nginx", `http://${nginxAddr}/`] as [string, string]] : []),
    ];
    const loaded = targets.map(([name, url]) => ({ name, result: measure(url, opts) }));
    const singleSeconds = Number(values["single-seconds"]);
    const single =
      singleSeconds > 0
        ? targets.map(([name, url]) => ({
            name,
            result: measure(url, { seconds: singleSeconds, connections: 1, rounds: 1 }),
          }))
        : [];
    console.log(
      `machine: ${machine.nproc} cores, ${machine.cpu}, node ${machine.node}, load average at start ${machine.loadAverage}`,
    );
    console.log(`tools: ${Object.values(machine.tools).join("; ")}`);
    console.log(
      `\n${loadTool()} -t2 -c${opts.connections} -d${opts.seconds}s, median of ${opts.rounds} round(s) after a 2 s warm-up:`,
    );
    console.log(table(loaded, values.markdown ?? false));
    if (single.length > 0) {
      console.log(`\n${loadTool()} -t1 -c1 -d${singleSeconds}s (one connection, no queueing):`);
      console.log(table(single, values.markdown ?? false));
    }
  } finally {
    cleanup();
    await new Promise((r) => setTimeout(r, 200));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
