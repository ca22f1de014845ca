import { describe, expect, it } from "vitest";
import { Rollout } from "../model/index.js";
import { addPause, clearControllerPauses, createContext, hasPause, label, wakeAt } from "./context.js";
import { rolloutManifest } from "./testing.js";

const now = new Date("2025-01-01T00:00:00Z");
const ctx = () =>
  createContext(Rollout.parse(rolloutManifest({ strategy: { canary: {} } })), { revisions: [] }, {}, now);

describe("reconcile context", () => {
  it("starts from a defaulted copy of status", () => {
    const c = ctx();
    expect(c.status).toMatchObject({ phase: "Progressing", revisions: [], analysisRuns: {}, abort: false });
    expect(c.hash).toMatch(/^[0-9a-f]{10}$/);
  });

  it("adds each pause reason once and keeps the user's pause when clearing", () => {
    const c = ctx();
    expect(addPause(c, "UserPause")).toBe(true);
    expect(addPause(c, "CanaryPauseStep")).toBe(true);
    expect(addPause(c, "CanaryPauseStep")).toBe(false);
    clearControllerPauses(c);
    expect(hasPause(c, "CanaryPauseStep")).toBe(false);
    expect(hasPause(c, "UserPause")).toBe(true);
  });

  it("only records wake-ups in the future", () => {
    const c = ctx();
    wakeAt(c, now.getTime());
    wakeAt(c, now.getTime() + 1);
    expect(c.wakes).toEqual([now.getTime() + 1]);
  });

  it("labels revisions by number and hash", () => {
    expect(label({ number: 3, hash: "abc" })).toBe("revision 3 (abc)");
  });
});
