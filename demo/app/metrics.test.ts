import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../../test/helpers/wait.js";
import { createAppMetrics, DURATION_BUCKETS } from "./metrics.js";
import { startTestServer, type TestServer } from "./test-server.js";

let current: TestServer | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return res.text();
}

describe("demo app metrics", () => {
  it("counts requests by method, endpoint and status, leaving out probes and scrapes", async () => {
    current = await startTestServer({ ERROR_RATE: "0.5" });
    const url = current.url;
    for (let i = 0; i < 4; i++) await (await fetch(`${url}/api/data`)).arrayBuffer();
    await (await fetch(`${url}/api/error`, { method: "POST" })).arrayBuffer();
    await (await fetch(`${url}/missing`)).arrayBuffer();
    await (await fetch(`${url}/health`)).arrayBuffer();
    await (await fetch(`${url}/ready`)).arrayBuffer();
    const text = await scrape(url);
    expect(text).toContain('http_requests_total{method="GET",endpoint="/api/data",status="200"} 2');
    expect(text).toContain('http_requests_total{method="GET",endpoint="/api/data",status="500"} 2');
    expect(text).toContain('http_requests_total{method="POST",endpoint="/api/error",status="500"} 1');
    expect(text).toContain('http_requests_total{method="GET",endpoint="other",status="404"} 1');
    expect(text).not.toMatch(/endpoint="\/(health|ready|metrics)"/);
    expect(text).toContain('http_request_duration_seconds_count{method="GET",endpoint="/api/data"} 4');
    expect(text).toContain('app_info{version="1.0"} 1');
  });

  it("has latency buckets from 5 ms to 5 s", async () => {
    current = await startTestServer();
    await (await fetch(`${current.url}/`)).arrayBuffer();
    const text = await scrape(current.url);
    // Which bucket the one request lands in depends on how busy the machine is; the bounds do not.
    const counts = DURATION_BUCKETS.map((le) => {
      const line = new RegExp(
        `^http_request_duration_seconds_bucket\\{le="${le}",method="GET",endpoint="/"\\} (\\d+)$`,
        "m",
      );
      const match = text.match(line);
      expect(match, `bucket le=${le}`).not.toBeNull();
      return Number(match?.[1]);
    });
    expect(DURATION_BUCKETS[0]).toBe(0.005);
    expect(DURATION_BUCKETS.at(-1)).toBe(5);
    // Cumulative: never decreasing, and the 5 s bucket holds the request.
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).toBe(1);
    expect(text).toContain('http_request_duration_seconds_bucket{le="+Inf",method="GET",endpoint="/"} 1');
  });

  it("shows a request in flight while it is being served", async () => {
    current = await startTestServer();
    const url = current.url;
    const slow = fetch(`${url}/api/slow?ms=1500`);
    await waitFor(async () => (await scrape(url)).includes("http_requests_in_flight 1"), {
      timeoutMs: 1_400,
      message: "in-flight gauge at 1",
    });
    expect((await slow).status).toBe(200);
    expect(await scrape(current.url)).toContain("http_requests_in_flight 0");
  });

  it("keeps each app's metrics in its own registry", async () => {
    const a = createAppMetrics("1.0");
    const b = createAppMetrics("2.0");
    a.requests.inc({ method: "GET", endpoint: "/", status: "200" });
    expect(await a.registry.metrics()).toContain('http_requests_total{method="GET",endpoint="/",status="200"} 1');
    expect(await b.registry.metrics()).not.toContain('status="200"');
  });
});
