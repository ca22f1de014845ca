/**
 * `sluice load` beside autocannon, against the same local HTTP server (in its own process, so the
 * server never shares an event loop with a load generator): at each asked rate, the rate each
 * achieved and the latency each measured. Both run as child processes, one after the other.
 *
 *   npx tsx bench/load-vs-autocannon.ts [--rates 100,500,1000] [--seconds 5] [--concurrency 10]
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderTable } from "../src/cli/format/table.js";
import { describeMachine } from "./lib/machine.js";

const { values } = parseArgs({
  options: {
    rates: { type: "string", default: "100,500,1000" },
    seconds: { type: "string", default: "5" },
    concurrency: { type: "string", default: "10" },
  },
});
const rates = values.rates.split(",").map(Number);
const seconds = Number(values.seconds);
const concurrency = values.concurrency;
const SLUICE = fileURLToPath(new URL("../bin/sluice.js", import.meta.url));
const AUTOCANNON = fileURLToPath(new URL("../node_modules/autocannon/autocannon.js", import.meta.url));

/** A server answering every request with a 200 and a small body after a 1 ms timer. */
const SERVER = `
const http = require("node:http");
const s = http.createServer((req, res) => setTimeout(() => res.end("ok\\n"), 1));
s.keepAliveTimeout = 60000;
s.listen(0, "127.0.0.1", () => process.stdout.write(String(s.address().port) + "\\n"));
`;

function startServer(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] });
    child.once("error", reject);
    child.stdout?.once("data", (d) => resolve({ child, port: Number(String(d).trim()) }));
  });
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
}

interface Row {
  tool: string;
  asked: number;
  achieved: number;
  p50: number;
  p99: number;
  errors: number;
  /** Requests due but not sent because every connection was busy (sluice load only). */
  missed: number | undefined;
}

async function sluice(url: string, rate: number): Promise<Row> {
  const out = JSON.parse(
    await run(process.execPath, [
      SLUICE,
      "load",
      url,
      "-r",
      String(rate),
      "-d",
      `${seconds}s`,
      "-c",
      concurrency,
      "-o",
      "json",
    ]),
  );
  const ok = (out.statuses["200"] ?? 0) as number;
  return {
    tool: "sluice load",
    asked: rate,
    achieved: out.rate.achieved,
    p50: out.latencyMs.p50,
    p99: out.latencyMs.p99,
    errors: out.completed - ok,
    missed: out.missed,
  };
}

async function autocannon(url: string, rate: number): Promise<Row> {
  const out = JSON.parse(
    await run(process.execPath, [
      AUTOCANNON,
      url,
      "--json",
      "-c",
      concurrency,
      "-d",
      String(seconds),
      "--overallRate",
      String(rate),
    ]),
  );
  return {
    tool: "autocannon",
    asked: rate,
    achieved: out.requests.total / (out.duration || seconds),
    p50: out.latency.p50,
    p99: out.latency.p99,
    errors: out.errors + out.non2xx + out.timeouts,
    missed: undefined,
  };
}

const { child, port } = await startServer();
const url = `http://127.0.0.1:${port}/`;
const rows: Row[] = [];
try {
  for (const rate of rates) {
    rows.push(await sluice(url, rate));
    rows.push(await autocannon(url, rate));
  }
} finally {
  child.kill();
}
const m = describeMachine();
console.log(`${m.nproc} cores, ${m.cpu}, Node ${m.node}, load ${m.loadAverage}`);
console.log(`${seconds} s per run, ${concurrency} connections, server answers after a 1 ms timer\n`);
console.log(
  renderTable(
    ["TOOL", "ASKED REQ/S", "ACHIEVED REQ/S", "P50 MS", "P99 MS", "ERRORS", "MISSED"],
    rows.map((r) => [
      r.tool,
      String(r.asked),
      r.achieved.toFixed(1),
      r.p50.toFixed(2),
      r.p99.toFixed(2),
      String(r.errors),
      r.missed === undefined ? "-" : String(r.missed),
    ]),
  ),
);
