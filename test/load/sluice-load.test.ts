import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { runLoad } from "../../src/load/sender.js";
import { runSluice } from "../helpers/cli.js";
import { waitFor } from "../helpers/wait.js";

/** A local server that records what it receives and answers with `answer`. */
async function serve(answer: (req: IncomingMessage, n: number, body: string) => number | "hang") {
  const seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const a = answer(req, seen.length, body);
      if (a === "hang") {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        res.on("close", () => inFlight--);
        return;
      }
      res.statusCode = a;
      res.end("answer");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  return { origin: `http://127.0.0.1:${port}`, seen, mostInFlight: () => mostInFlight };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

describe("sluice load", () => {
  it("sends rate × duration requests and prints every status code with its count", async () => {
    const srv = await serve((_req, n) => (n % 4 === 0 ? 503 : 200));
    const run = await runSluice([
      "load",
      `${srv.origin}/orders?x=1`,
      "--rate",
      "100",
      "--duration",
      "2s",
      "-m",
      "post",
      "-H",
      "X-Test: yes",
      "--body",
      '{"a":1}',
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(srv.seen).toHaveLength(200);
    expect(srv.seen.every((r) => r.method === "POST" && r.url === "/orders?x=1" && r.body === '{"a":1}')).toBe(true);
    expect(srv.seen[0]?.headers["x-test"]).toBe("yes");
    expect(run.stdout).toContain("Requests:     200 sent, 200 completed, 0 missed");
    expect(run.stdout).toMatch(/^200 +150 +75\.0%$/m);
    expect(run.stdout).toMatch(/^503 +50 +25\.0%$/m);
    expect(run.stdout).toContain("Latency histogram:");
    // The rate was kept: 200 requests at 100/s take about 2 s, not a burst.
    const total = Number(/Total: +([\d.]+) s/.exec(run.stdout)?.[1]);
    expect(total).toBeGreaterThan(1.9);
    expect(total).toBeLessThan(3);
  });

  it("prints JSON with -o json, and refuses bad input with the option name and no request sent", async () => {
    const srv = await serve(() => 204);
    const run = await runSluice(["load", `${srv.origin}/`, "-r", "20", "-d", "500ms", "-o", "json"]);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.completed).toBe(10);
    expect(json.statuses).toEqual({ 204: 10 });

    const bad = await runSluice(["load", `${srv.origin}/`, "-r", "20", "-d", "1s", "-H", "X-Sluice-Load: 1"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe("error: --header: is added by Sluice to every generated request; remove it");
    const tooFast = await runSluice(["load", `${srv.origin}/`, "-r", "5000", "-d", "1s"]);
    expect(tooFast.stderr.trim()).toBe("error: --rate: must be at most 1000 requests per second");
    expect(srv.seen).toHaveLength(10);
  });

  it("holds at most --concurrency requests in flight, counts the rest as missed, and stops when told", async () => {
    const srv = await serve(() => "hang");
    const stop = new AbortController();
    const running = runLoad({
      origin: srv.origin,
      load: {
        rate: 200,
        concurrency: 3,
        method: "GET",
        paths: ["/a", "/b"],
        headers: {},
        timeoutSeconds: 30,
      },
      signal: stop.signal,
    });
    await waitFor(() => srv.seen.length >= 3, { timeoutMs: 5000 });
    // Keep it blocked for a while: the scheduler must skip, not queue up a burst.
    const blockedSince = Date.now();
    await waitFor(() => Date.now() - blockedSince > 600, { timeoutMs: 3000, intervalMs: 20 });
    stop.abort();
    const report = await running;
    expect(report.stopped).toBe(true);
    expect(srv.mostInFlight()).toBe(3);
    expect(srv.seen.map((r) => r.url)).toEqual(["/a", "/b", "/a"]);
    expect(report.sent).toBe(3);
    // About 120 were due; a quarter second's worth (50) may wait, the rest are missed.
    expect(report.results.missed).toBeGreaterThan(30);
  });

  it("counts refused connections and timeouts as failures by name", async () => {
    const srv = await serve(() => "hang");
    const report = await runLoad({
      origin: srv.origin,
      load: {
        rate: 10,
        durationMs: 300,
        concurrency: 5,
        method: "GET",
        paths: ["/"],
        headers: {},
        timeoutSeconds: 0.2,
      },
    });
    expect(Object.fromEntries(report.results.failures)).toEqual({ timeout: 3 });
    expect(report.results.errors()).toBe(3);

    const closed = await serve(() => 200);
    const origin = closed.origin;
    const s = servers.pop();
    await new Promise((resolve) => s?.close(resolve));
    const refused = await runLoad({
      origin,
      load: { rate: 10, durationMs: 200, concurrency: 2, method: "GET", paths: ["/"], headers: {}, timeoutSeconds: 1 },
    });
    expect(Object.fromEntries(refused.results.failures)).toEqual({ "connection refused": 2 });
  });
});
