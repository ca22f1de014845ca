import { describe, expect, it } from "vitest";
import { planRevision, type SlotView } from "./plan.js";

const slot = (index: number, flags: Partial<Omit<SlotView, "index">> = {}): SlotView => ({
  index,
  current: true,
  ready: true,
  stopping: false,
  ...flags,
});

describe("planRevision: scaling", () => {
  it("starts the lowest free indexes up to the desired count", () => {
    expect(planRevision([], 3)).toEqual({ start: [0, 1, 2], stop: [] });
    expect(planRevision([slot(1)], 3)).toEqual({ start: [0, 2], stop: [] });
  });

  it("does nothing at the desired count", () => {
    expect(planRevision([slot(0), slot(1, { ready: false })], 2)).toEqual({ start: [], stop: [] });
  });

  it("stops the highest indexes first", () => {
    expect(planRevision([slot(0), slot(1), slot(2), slot(3)], 2)).toEqual({ start: [], stop: [3, 2] });
    expect(planRevision([slot(0), slot(1)], 0)).toEqual({ start: [], stop: [1, 0] });
  });

  it("does not reuse the index of a replica still stopping, nor count it", () => {
    expect(planRevision([slot(0), slot(1, { stopping: true })], 2)).toEqual({ start: [2], stop: [] });
  });

  it("stops outdated replicas too when scaled to zero", () => {
    expect(planRevision([slot(0, { current: false }), slot(1)], 0)).toEqual({ start: [], stop: [1, 0] });
  });
});

describe("planRevision: restart, one replica at a time", () => {
  const old = (index: number, ready = true): SlotView => slot(index, { current: false, ready });

  it("starts one new replica and stops nothing while it is not ready", () => {
    expect(planRevision([old(0), old(1)], 2)).toEqual({ start: [2], stop: [] });
    expect(planRevision([old(0), old(1), slot(2, { ready: false })], 2)).toEqual({ start: [], stop: [] });
  });

  it("stops one old replica once the new one is ready, and starts the next", () => {
    expect(planRevision([old(0), old(1), slot(2)], 2)).toEqual({ start: [3], stop: [1] });
  });

  it("finishes with only current replicas", () => {
    const last = planRevision([old(0), slot(2), slot(3)], 2);
    expect(last).toEqual({ start: [], stop: [0] });
  });

  it("stops unready old replicas first, since that loses no capacity", () => {
    expect(planRevision([old(0), old(1, false)], 2)).toEqual({ start: [2], stop: [1] });
  });

  it("keeps at least the desired number ready throughout", () => {
    let slots: SlotView[] = [old(0), old(1), old(2)];
    const desired = 3;
    let idle = false;
    for (let round = 0; round < 20 && !idle; round++) {
      const plan = planRevision(slots, desired);
      idle = plan.start.length === 0 && plan.stop.length === 0;
      slots = slots.filter((s) => !plan.stop.includes(s.index));
      slots.push(...plan.start.map((index) => slot(index, { ready: false })));
      expect(slots.filter((s) => s.ready).length).toBeGreaterThanOrEqual(desired);
      // Between plans, the replicas started last time become ready.
      slots = slots.map((s) => ({ ...s, ready: true }));
    }
    expect(idle).toBe(true);
    expect(slots.every((s) => s.current)).toBe(true);
    expect(slots).toHaveLength(desired);
  });

  it("waits while a new replica keeps failing, leaving the old ones serving", () => {
    expect(planRevision([old(0), old(1), slot(2, { ready: false })], 2)).toEqual({ start: [], stop: [] });
  });

  it("drops surplus new replicas when scaled down mid-restart", () => {
    expect(planRevision([old(0), slot(1), slot(2), slot(3)], 2)).toEqual({ start: [], stop: [3, 0] });
  });
});
