import { type ChildProcess, spawn } from "node:child_process";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.js";

const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ["--import", "tsx", SERVER], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

async function listeningPort(s: Started): Promise<number> {
  const match = await waitFor(() => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(s.output()), {
    timeoutMs: 8_000,
    message: "demo app listening",
  });
  return Number(match[1]);
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("demo app process", () => {
  it("finishes an in-flight request on SIGTERM and exits 0", async () => {
    const s = run({ VERSION: "2.0" });
    const port = await listeningPort(s);
    const slow = get(`http://127.0.0.1:${port}/api/slow?ms=1200`);
    await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { connection: "close" } });
        return (await res.text()).includes("http_requests_in_flight 1");
      },
      { message: "slow request in flight" },
    );
    s.child.kill("SIGTERM");
    expect(await slow).toBe(200);
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.output()).toContain("stopped cleanly");
  });

  it("exits 1 at once with CRASH_AFTER_SECONDS=0, saying why", async () => {
    const s = run({ CRASH_AFTER_SECONDS: "0" });
    expect((await s.exited).code).toBe(1);
    expect(s.output()).toContain("crashing at start");
  });

  it("exits 1 after CRASH_AFTER_SECONDS", async () => {
    const s = run({ CRASH_AFTER_SECONDS: "0.5" });
    await listeningPort(s);
    expect((await s.exited).code).toBe(1);
    expect(s.output()).toContain("crashing as configured (CRASH_AFTER_SECONDS=0.5)");
  });

  it("exits 2 with the variable's name on bad configuration", async () => {
    const s = run({ ERROR_RATE: "lots" });
    expect((await s.exited).code).toBe(2);
    expect(s.output()).toContain('ERROR_RATE: must be a number from 0 to 1, got "lots"');
  });
});
