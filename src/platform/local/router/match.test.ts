import { describe, expect, it } from "vitest";
import { RouterConfigError } from "./errors.js";
import { compileMatches, cookieValue, pathOf, type RequestView } from "./match.js";

const req = (headers: Record<string, string> = {}, method = "GET", url = "/"): RequestView => ({
  method,
  url,
  headers,
});

describe("compileMatches", () => {
  it("matches a header exactly, by prefix and by a whole-value regex", () => {
    const exact = compileMatches([{ headerName: "X-Canary", headerValue: { exact: "true" } }], "m", false);
    expect(exact(req({ "x-canary": "true" }))).toBe(true);
    expect(exact(req({ "x-canary": "truex" }))).toBe(false);
    expect(exact(req())).toBe(false);
    const prefix = compileMatches([{ headerName: "user-agent", headerValue: { prefix: "Mozilla" } }], "m", false);
    expect(prefix(req({ "user-agent": "Mozilla/5.0" }))).toBe(true);
    const regex = compileMatches([{ headerName: "x-user", headerValue: { regex: "ali(ce|x)" } }], "m", false);
    expect(regex(req({ "x-user": "alice" }))).toBe(true);
    expect(regex(req({ "x-user": "malice" }))).toBe(false);
  });

  it("matches header presence when no value is given", () => {
    const m = compileMatches([{ headerName: "x-debug" }], "m", false);
    expect(m(req({ "x-debug": "" }))).toBe(true);
    expect(m(req())).toBe(false);
  });

  it("matches cookies", () => {
    const m = compileMatches([{ cookieName: "beta", cookieValue: { exact: "yes" } }], "m", false);
    expect(m(req({ cookie: "a=1; beta=yes; c=3" }))).toBe(true);
    expect(m(req({ cookie: "a=1; beta=no" }))).toBe(false);
    expect(m(req({ cookie: "notbeta=yes" }))).toBe(false);
  });

  it("ANDs the conditions of one match and ORs the matches of a list", () => {
    const m = compileMatches(
      [
        { method: { exact: "POST" }, path: { prefix: "/api/" } },
        { headerName: "x-canary", headerValue: { exact: "true" } },
      ],
      "m",
      false,
    );
    expect(m(req({}, "POST", "/api/orders?x=1"))).toBe(true);
    expect(m(req({}, "GET", "/api/orders"))).toBe(false);
    expect(m(req({}, "POST", "/other"))).toBe(false);
    expect(m(req({ "x-canary": "true" }, "GET", "/other"))).toBe(true);
  });

  it("treats an empty list as the caller says", () => {
    expect(compileMatches([], "m", false)(req())).toBe(false);
    expect(compileMatches([], "m", true)(req())).toBe(true);
  });

  it("rejects an invalid regex with the place it came from", () => {
    expect(() => compileMatches([{ path: { regex: "(" } }], "headerRoutes[0].match", false)).toThrow(RouterConfigError);
    expect(() => compileMatches([{ path: { regex: "(" } }], "headerRoutes[0].match", false)).toThrow(
      /headerRoutes\[0\]\.match\[0\]\.path\.regex/,
    );
    // RE2 runs no lookaround: refused here exactly as lint refuses it.
    expect(() => compileMatches([{ method: { regex: "(?!GET)" } }], "m", false)).toThrow(/m\[0\]\.method\.regex/);
  });

  it("runs a catastrophic pattern against a 10 KB header in linear time", () => {
    const m = compileMatches([{ headerName: "x-user", headerValue: { regex: "(a+)+" } }], "m", false);
    const started = performance.now();
    expect(m(req({ "x-user": `${"a".repeat(31)}!` }))).toBe(false);
    expect(m(req({ "x-user": `${"a".repeat(10_000)}!` }))).toBe(false);
    expect(m(req({ "x-user": "a".repeat(100) }))).toBe(true);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("never matches a header value over 8 KiB, even with a pattern that takes anything", () => {
    const m = compileMatches([{ headerName: "x-user", headerValue: { regex: ".*" } }], "m", false);
    expect(m(req({ "x-user": "a".repeat(8 * 1024) }))).toBe(true);
    expect(m(req({ "x-user": "a".repeat(8 * 1024 + 1) }))).toBe(false);
  });
});

describe("cookieValue", () => {
  it("finds a cookie among others and unquotes it", () => {
    expect(cookieValue("a=1; sluice=abc; b=2", "sluice")).toBe("abc");
    expect(cookieValue('sluice="abc"', "sluice")).toBe("abc");
    expect(cookieValue("xsluice=1; sluice=2", "sluice")).toBe("2");
    expect(cookieValue("a=1", "sluice")).toBeUndefined();
    expect(cookieValue(undefined, "sluice")).toBeUndefined();
  });
});

describe("pathOf", () => {
  it("drops the query", () => {
    expect(pathOf("/a/b?c=d")).toBe("/a/b");
    expect(pathOf("/a")).toBe("/a");
  });
});
