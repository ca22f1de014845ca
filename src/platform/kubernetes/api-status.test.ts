import { describe, expect, it } from "vitest";
import { rolloutApiStatus } from "./api-status.js";

const rollout = (strategy: object) => ({ metadata: { name: "web" }, spec: { strategy } }) as never;
const revision = (readyReplicas?: number) =>
  ({ hash: "h", number: 1, role: "stable", replicas: 3, weight: 100, readyReplicas }) as never;

describe("rolloutApiStatus", () => {
  it("names the strategy and selects every pod of the rollout", () => {
    expect(rolloutApiStatus(rollout({ canary: {} }))).toEqual({
      strategy: "canary",
      replicas: 0,
      selector: "sluice.dev/rollout=web",
    });
    expect(rolloutApiStatus(rollout({ blueGreen: {} })).strategy).toBe("blueGreen");
  });

  it("counts ready pods across revisions, as an HPA counts current replicas", () => {
    const status = { revisions: [revision(3), revision(1), revision(undefined)] };
    expect(rolloutApiStatus(rollout({ canary: {} }), status).replicas).toBe(4);
  });
});
