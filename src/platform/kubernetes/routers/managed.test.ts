import { describe, expect, it } from "vitest";
import {
  asRegex,
  byManagedOrder,
  canaryPercent,
  checkOwned,
  checkWeight,
  isManagedName,
  managedName,
} from "./managed.js";
import { TrafficRoutingError } from "./port.js";

describe("managed route helpers", () => {
  it("prefixes and recognises managed names", () => {
    expect(managedName("beta")).toBe("sluice-beta");
    expect(isManagedName("sluice-beta")).toBe(true);
    expect(isManagedName("beta")).toBe(false);
    expect(isManagedName(undefined)).toBe(false);
  });

  it("orders by managedRoutes, unlisted last in their own order", () => {
    const routes = [{ name: "c" }, { name: "a" }, { name: "x" }, { name: "b" }];
    expect(byManagedOrder(routes, [{ name: "a" }, { name: "b" }, { name: "c" }]).map((r) => r.name)).toEqual([
      "a",
      "b",
      "c",
      "x",
    ]);
    expect(byManagedOrder(routes, undefined)).toBe(routes);
  });

  it.each([
    [{ exact: "a.b" }, "^a\\.b$"],
    [{ prefix: "v1/" }, "^v1\\/.*"],
    [{ regex: "x+" }, "x+"],
  ])("turns %j into the regex %s", (m, re) => {
    expect(asRegex(m)).toBe(re);
    expect(new RegExp(re).test("a.b") || new RegExp(re).test("v1/x") || new RegExp(re).test("xx")).toBe(true);
  });

  it.each([
    [90, 10, 10],
    [3, 1, 25],
    [0, 0, 0],
  ])("stable %d and canary %d is %d%% canary", (s, c, p) => {
    expect(canaryPercent(s, c)).toBe(p);
  });

  it("refuses weights outside 0..100", () => {
    expect(checkWeight("x", 12.4)).toBe(12);
    expect(() => checkWeight("x", 101)).toThrow(TrafficRoutingError);
    expect(() => checkWeight("x", Number.NaN)).toThrow("outside 0..100");
  });

  it("refuses an object of the same name that is not the rollout's", () => {
    const theirs = { metadata: { name: "s", labels: { "sluice.dev/rollout": "other" } } };
    expect(() => checkOwned("smi", theirs, { name: "app" }, "TrafficSplit shop/s")).toThrow(
      'TrafficSplit shop/s exists but Sluice did not create it for rollout "app"',
    );
    expect(() => checkOwned("smi", undefined, { name: "app" }, "x")).not.toThrow();
    const ours = { metadata: { name: "s", labels: { "sluice.dev/rollout": "app" } } };
    expect(() => checkOwned("smi", ours, { name: "app" }, "x")).not.toThrow();
  });
});
