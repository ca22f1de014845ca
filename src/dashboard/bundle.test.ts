import { describe, expect, it } from "vitest";
import { createApi } from "../api/app.js";
import { FakeControlPlane } from "../api/testing.js";
import { buildDashboard } from "./bundle.js";

describe("the dashboard bundle", () => {
  it("builds within the 150 KB gzipped JavaScript budget, every asset named by its hash", async () => {
    const b = await buildDashboard();
    expect(b.jsGzipBytes).toBeGreaterThan(10_000);
    expect(b.jsGzipBytes).toBeLessThan(150 * 1024);
    expect([...b.assets.keys()].every((n) => /^app-[0-9a-f]{16}\.(js|css)$/.test(n))).toBe(true);
    for (const name of b.assets.keys()) expect(b.html).toContain(`/dashboard/assets/${name}`);
    // Nothing is fetched from elsewhere: no absolute URLs in the page.
    expect(b.html).not.toMatch(/https?:\/\//);
  }, 60_000);

  it("is served with a strict CSP, and its assets with a year-long immutable cache", async () => {
    const app = createApi({ control: new FakeControlPlane(), token: "a".repeat(64), version: "1" });
    const page = await app.request("/dashboard/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(page.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    expect(page.headers.get("cache-control")).toBe("no-store");
    const html = await page.text();
    const js = /src="(\/dashboard\/assets\/app-[0-9a-f]+\.js)"/.exec(html)?.[1];
    expect(js).toBeDefined();
    const asset = await app.request(js ?? "");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toMatch(/immutable/);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);
    expect((await app.request("/dashboard/assets/app-0000000000000000.js")).status).toBe(404);
    expect((await app.request("/")).status).toBe(302);
  }, 60_000);
});
