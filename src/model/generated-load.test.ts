import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GeneratedLoad, MAX_LOAD_BODY_BYTES, MAX_LOAD_CONCURRENCY, MAX_LOAD_RATE } from "./generated-load.js";

describe("load section", () => {
  it("fills defaults: 10 in flight, GET /, 10 s timeout, until the analysis ends", () => {
    expect(GeneratedLoad.parse({ rate: 20 })).toEqual({
      rate: 20,
      concurrency: 10,
      method: "GET",
      paths: ["/"],
      headers: {},
      timeoutSeconds: 10,
    });
  });

  it.each([
    [{ rate: 0 }, "rate"],
    [{ rate: MAX_LOAD_RATE + 1 }, "rate"],
    [{ rate: 5, concurrency: MAX_LOAD_CONCURRENCY + 1 }, "concurrency"],
    [{ rate: 5, paths: ["http://example.com/"] }, "paths.0"],
    [{ rate: 5, paths: ["//evil.example/x"] }, ""],
    [{ rate: 5, headers: { "X-Sluice-Load": "1" } }, "headers"],
    [{ rate: 5, headers: { Host: "other" } }, "headers"],
    [{ rate: 5, headers: { "x-a": "a\r\nx-b: b" } }, "headers"],
    [{ rate: 5, method: "POST", body: "x".repeat(MAX_LOAD_BODY_BYTES + 1) }, "body"],
    [{ rate: 5, body: "{}" }, "body"],
    [{ rate: 5, duration: "2y" }, "duration"],
  ])("refuses %j at its field", (input, path) => {
    const r = GeneratedLoad.safeParse(input);
    expect(r.success).toBe(false);
    if (path) expect(r.error?.issues.map((i) => i.path.join("."))).toContainEqual(expect.stringContaining(path));
  });

  it("accepts or refuses any input without throwing, and what it accepts is within bounds", () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            rate: fc.oneof(fc.double(), fc.integer()),
            concurrency: fc.integer({ min: -5, max: 1000 }),
            method: fc.constantFrom("GET", "POST", "TRACE", "get"),
            paths: fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }),
            headers: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
            body: fc.string({ maxLength: 50 }),
            duration: fc.oneof(fc.integer({ min: -1, max: 40_000_000 }), fc.string({ maxLength: 8 })),
          },
          { requiredKeys: [] },
        ),
        (input) => {
          const r = GeneratedLoad.safeParse(input);
          if (!r.success) return;
          expect(r.data.rate).toBeGreaterThan(0);
          expect(r.data.rate).toBeLessThanOrEqual(MAX_LOAD_RATE);
          expect(r.data.concurrency).toBeLessThanOrEqual(MAX_LOAD_CONCURRENCY);
          for (const p of r.data.paths) expect(p.startsWith("/")).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
