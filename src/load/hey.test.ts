import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { heyLoad, shellWords } from "./hey.js";

describe("hey command lines", () => {
  it("splits words as a shell does", () => {
    expect(shellWords(`hey -m POST -d '{"a": 1}' -H "X-A: b c" a\\ b`)).toEqual([
      "hey",
      "-m",
      "POST",
      "-d",
      '{"a": 1}',
      "-H",
      "X-A: b c",
      "a b",
    ]);
    expect(shellWords("hey 'open")).toBeUndefined();
  });

  it("translates Flagger's load tester command: rate is -q × -c, duration -z, the canary is the target", () => {
    const r = heyLoad("hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/api/info?x=1");
    expect(r).toEqual({
      ok: true,
      load: {
        rate: 20,
        duration: "1m",
        concurrency: 2,
        method: "GET",
        paths: ["/api/info?x=1"],
        headers: {},
        timeoutSeconds: 10,
      },
      notes: [expect.stringContaining("host of http://podinfo-canary.test:9898 is dropped")],
    });
  });

  it("keeps method, headers, body and timeout; -n becomes a duration at the rate", () => {
    const r = heyLoad(
      `/usr/local/bin/hey -n 600 -q 5 -c 2 -m post -T application/json -H 'X-Test: 1' -d '{"probe":true}' -t 3 http://svc/`,
    );
    expect(r.ok && r.load).toMatchObject({
      rate: 10,
      duration: 60,
      method: "POST",
      headers: { "X-Test": "1", "Content-Type": "application/json" },
      body: '{"probe":true}',
      timeoutSeconds: 3,
    });
  });

  it("bounds what hey would not: no -q is the maximum rate, with a note", () => {
    const r = heyLoad("hey -z 30s http://svc/");
    expect(r.ok && r.load.rate).toBe(1000);
    expect(r.ok && r.notes.join(" ")).toMatch(/as fast as it can/);
  });

  it.each([
    ["hey -z 1m", /no URL/],
    ["wrk http://svc/", /not a hey command/],
    ["hey -D body.json http://svc/", /-D/],
    ["hey -z forever http://svc/", /-z forever/],
    ["hey -H nocolon http://svc/", /Name: value/],
    ["hey -q 10 -c 2 -H 'X-Sluice-Load: 1' http://svc/", /load\.headers/],
  ])("refuses %s with the reason", (cmd, reason) => {
    const r = heyLoad(cmd);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });

  it("never throws, and what it accepts is within the load bounds", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (tail) => {
        const r = heyLoad(`hey ${tail}`);
        if (r.ok) {
          expect(r.load.rate).toBeLessThanOrEqual(1000);
          expect(r.load.concurrency).toBeLessThanOrEqual(256);
        }
      }),
      { numRuns: 300 },
    );
  });
});
