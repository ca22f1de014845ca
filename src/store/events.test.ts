import { describe, expect, it } from "vitest";
import { EventLog } from "./events.js";
import { fakeClock, memoryDb } from "./test-db.js";

const ev = (reason: string) => ({ type: "Normal" as const, reason, message: `${reason} happened` });

function log() {
  const clock = fakeClock();
  return { clock, events: new EventLog(memoryDb(), clock.now) };
}

describe("EventLog", () => {
  it("appends with increasing ids and the current time", () => {
    const { events, clock } = log();
    const [a] = events.append("Rollout", "web", [ev("A")]);
    clock.advance(5000);
    const [b, c] = events.append("Rollout", "web", [ev("B"), { type: "Warning", reason: "C", message: "bad" }]);
    expect(a).toEqual({
      id: 1,
      kind: "Rollout",
      name: "web",
      time: "2025-01-01T00:00:00.000Z",
      type: "Normal",
      reason: "A",
      message: "A happened",
    });
    expect(b?.id).toBe(2);
    expect(c).toMatchObject({ id: 3, type: "Warning", time: "2025-01-01T00:00:05.000Z" });
    expect(events.list()).toEqual([a, b, c]);
  });

  it("keeps the actor of an event that has one, and adds none to the others", () => {
    const { events } = log();
    const [asked] = events.append("Rollout", "web", [{ ...ev("CommandReceived"), actor: "ci-bot" }]);
    events.append("Rollout", "web", [ev("StepAdvanced")]);
    expect(asked?.actor).toBe("ci-bot");
    const [stored, plain] = events.list();
    expect(stored).toMatchObject({ reason: "CommandReceived", actor: "ci-bot" });
    expect(plain).not.toHaveProperty("actor");
  });

  it("filters by kind, name and sinceId", () => {
    const { events } = log();
    events.append("Rollout", "web", [ev("1")]);
    events.append("Rollout", "api", [ev("2")]);
    events.append("AnalysisRun", "web", [ev("3")]);
    events.append("Rollout", "web", [ev("4")]);
    expect(events.list({ kind: "Rollout", name: "web" }).map((e) => e.reason)).toEqual(["1", "4"]);
    expect(events.list({ name: "web" }).map((e) => e.reason)).toEqual(["1", "3", "4"]);
    expect(events.list({ sinceId: 2 }).map((e) => e.reason)).toEqual(["3", "4"]);
  });

  it("with a limit alone takes the newest, oldest first; with sinceId it pages forward", () => {
    const { events } = log();
    for (let i = 1; i <= 5; i++) events.append("Rollout", "web", [ev(String(i))]);
    expect(events.list({ limit: 2 }).map((e) => e.reason)).toEqual(["4", "5"]);
    expect(events.list({ sinceId: 1, limit: 2 }).map((e) => e.reason)).toEqual(["2", "3"]);
    expect(events.list({ limit: 0 })).toEqual([]);
  });

  it("prunes all but the newest events", () => {
    const { events } = log();
    for (let i = 1; i <= 5; i++) events.append("Rollout", "web", [ev(String(i))]);
    expect(events.prune(2)).toBe(3);
    expect(events.list().map((e) => e.reason)).toEqual(["4", "5"]);
    expect(events.prune(2)).toBe(0);
  });
});
