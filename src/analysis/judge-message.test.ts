import { describe, expect, it } from "vitest";
import type { JudgeStatus } from "../model/index.js";
import { moreRequestsText } from "./judge-message.js";

const status = (over: Partial<JudgeStatus>): JudgeStatus => ({
  looks: [{ at: 0, canary: { requests: 30, errors: 0 }, baseline: { requests: 30, errors: 0 } }],
  resets: 0,
  outcome: "Running",
  ...over,
});

describe("moreRequestsText", () => {
  it("says how many more canary requests and how long at the current rate", () => {
    expect(moreRequestsText(status({ moreRequests: 139.2, requestRate: 2 }))).toBe(
      "about 140 more canary requests, ~70 s at 2 req/s",
    );
    expect(moreRequestsText(status({ moreRequests: 6000, requestRate: 25.4 }))).toBe(
      "about 6000 more canary requests, ~4 min at 25 req/s",
    );
  });

  it("falls back to what minRequests still needs, as a lower bound", () => {
    expect(moreRequestsText(status({ requestRate: 0.5 }), 100)).toBe(
      "at least 70 more canary requests, ~3 min at 0.5 req/s",
    );
    expect(moreRequestsText(status({}), 100)).toBe("at least 70 more canary requests (no canary traffic now)");
    expect(moreRequestsText(status({}), 10)).toBeUndefined();
    expect(moreRequestsText(status({ moreRequests: Number.NaN }))).toBeUndefined();
  });
});
