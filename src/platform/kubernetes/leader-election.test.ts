import { KubeConfig, V1MicroTime } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  canAcquire,
  checkTimings,
  LeaderElectionError,
  LeaderElector,
  leaseRecord,
  nextLeaseSpec,
  releasedLeaseSpec,
} from "./leader-election.js";

const T0 = Date.parse("2025-01-02T03:04:05.678Z");

describe("checkTimings", () => {
  it("accepts client-go's defaults and the short test timings", () => {
    expect(() => checkTimings(15, 10, 2)).not.toThrow();
    expect(() => checkTimings(4, 3, 0.5)).not.toThrow();
  });

  it("refuses a renew deadline that would outlive the lease, or retries too slow for the deadline", () => {
    expect(() => checkTimings(10, 10, 2)).toThrow(/must exceed renewDeadlineSeconds/);
    expect(() => checkTimings(15, 2, 2)).toThrow(LeaderElectionError);
    expect(() => checkTimings(15, 10, 0)).toThrow(/must be positive/);
  });

  it("is applied by the constructor", () => {
    const opts = { kc: new KubeConfig(), namespace: "n", name: "l", identity: "a" };
    const noop = () => {};
    expect(
      () => new LeaderElector({ ...opts, leaseDurationSeconds: 5, onStartedLeading: noop, onStoppedLeading: noop }),
    ).toThrow(LeaderElectionError);
  });
});

describe("canAcquire", () => {
  const held = { holderIdentity: "b", leaseDurationSeconds: 4 };

  it("takes a free Lease, a released one, or its own at once", () => {
    expect(canAcquire(undefined, "a", T0, T0, 15)).toBe(true);
    expect(canAcquire({ holderIdentity: "" }, "a", T0, T0, 15)).toBe(true);
    expect(canAcquire({ holderIdentity: "a", leaseDurationSeconds: 4 }, "a", T0, T0, 15)).toBe(true);
  });

  it("waits the holder's lease duration after it last saw the record change", () => {
    expect(canAcquire(held, "a", T0, T0 + 4_000, 15)).toBe(false);
    expect(canAcquire(held, "a", T0, T0 + 4_001, 15)).toBe(true);
    // Without a duration on the Lease, the candidate's own applies.
    expect(canAcquire({ holderIdentity: "b" }, "a", T0, T0 + 10_000, 15)).toBe(false);
  });
});

describe("nextLeaseSpec", () => {
  const now = new Date(T0);

  it("creates with no transitions, and writes MicroTime with six fractional digits", () => {
    const spec = nextLeaseSpec(undefined, "a", 15, now);
    expect(spec).toMatchObject({ holderIdentity: "a", leaseDurationSeconds: 15, leaseTransitions: 0 });
    expect(spec.renewTime).toBeInstanceOf(V1MicroTime);
    expect(JSON.stringify(spec.renewTime)).toBe('"2025-01-02T03:04:05.678000Z"');
  });

  it("keeps acquireTime and transitions when renewing its own Lease", () => {
    const current = {
      holderIdentity: "a",
      acquireTime: "2025-01-01T00:00:00.000000Z" as unknown as V1MicroTime,
      leaseTransitions: 3,
    };
    const spec = nextLeaseSpec(current, "a", 15, now);
    expect(spec.leaseTransitions).toBe(3);
    expect(JSON.stringify(spec.acquireTime)).toBe('"2025-01-01T00:00:00.000000Z"');
    expect(JSON.stringify(spec.renewTime)).toBe('"2025-01-02T03:04:05.678000Z"');
  });

  it("counts a transition on takeover, also from a released Lease", () => {
    expect(nextLeaseSpec({ holderIdentity: "b", leaseTransitions: 3 }, "a", 15, now).leaseTransitions).toBe(4);
    expect(nextLeaseSpec({ holderIdentity: "", leaseTransitions: 4 }, "a", 15, now).leaseTransitions).toBe(5);
    expect(JSON.stringify(nextLeaseSpec({ holderIdentity: "b" }, "a", 15, now).acquireTime)).toBe(
      '"2025-01-02T03:04:05.678000Z"',
    );
  });
});

describe("releasedLeaseSpec and leaseRecord", () => {
  it("clears the holder but keeps the transition count", () => {
    const spec = releasedLeaseSpec({ holderIdentity: "a", leaseDurationSeconds: 4, leaseTransitions: 2 }, new Date(T0));
    expect(spec).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 4, leaseTransitions: 2 });
    expect(canAcquire(spec, "b", T0, T0, 15)).toBe(true);
  });

  it("moves when the holder renews, so a standby restarts its expiry clock", () => {
    const a = nextLeaseSpec({ holderIdentity: "b" }, "b", 4, new Date(T0));
    const b = nextLeaseSpec(a, "b", 4, new Date(T0 + 500));
    expect(leaseRecord(a)).not.toBe(leaseRecord(b));
    expect(leaseRecord(a)).toBe(leaseRecord({ ...a }));
  });
});
