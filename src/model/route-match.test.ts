import { describe, expect, it } from "vitest";
import { validateResource } from "./validate.js";

const rollout = (match: Record<string, unknown>) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web" },
  spec: {
    template: { process: { command: "node" } },
    strategy: { canary: { steps: [{ setMirrorRoute: { name: "m", match: [match] } }] } },
  },
});
const messages = (raw: unknown) => validateResource(raw).issues.map((i) => `${i.path.join(".")}: ${i.message}`);

// Found by test/hostile/fuzz-apply.test.ts: lint accepted these and the router then refused the route.
describe("a route match's value needs the name it is looked up by", () => {
  it("refuses headerValue without headerName and cookieValue without cookieName, naming the field", () => {
    expect(messages(rollout({ headerValue: { exact: "1" } }))).toEqual([
      "spec.strategy.canary.steps.0.setMirrorRoute.match.0.headerValue: headerValue needs headerName",
    ]);
    expect(messages(rollout({ cookieValue: { prefix: "a" }, path: { prefix: "/" } }))).toEqual([
      "spec.strategy.canary.steps.0.setMirrorRoute.match.0.cookieValue: cookieValue needs cookieName",
    ]);
  });

  it("accepts a name alone, a name with its value, and matches without either", () => {
    expect(messages(rollout({ headerName: "x-beta" }))).toEqual([]);
    expect(messages(rollout({ cookieName: "c", cookieValue: { exact: "1" } }))).toEqual([]);
    expect(messages(rollout({ method: { exact: "GET" } }))).toEqual([]);
  });
});
