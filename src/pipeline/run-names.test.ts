import { describe, expect, it } from "vitest";
import { gateRunName } from "./run-names.js";

describe("gateRunName", () => {
  const base = {
    pipeline: "shop",
    stage: "prod",
    release: "v2-0",
    kind: "verify" as const,
    subject: "staging",
    attempt: 1,
  };

  it("is readable when it fits", () => {
    expect(gateRunName(base)).toBe("shop-prod-v2-0-verify-staging-1");
  });

  it("is cut to 63 characters with a hash that tells long names apart", () => {
    const long = { ...base, pipeline: "p".repeat(40), release: "r".repeat(40) };
    const a = gateRunName(long);
    const b = gateRunName({ ...long, attempt: 2 });
    expect(a).toHaveLength(63);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(a).not.toBe(b);
    expect(gateRunName(long)).toBe(a);
  });
});
