import { describe, expect, it } from "vitest";
import type { Rollout } from "../../model/index.js";
import { nothingToDo } from "./rollout-actions.js";

const at = (phase: string, abort = false) => ({ status: { phase, abort } }) as unknown as Rollout;

describe("nothingToDo", () => {
  it("says where the rollout stands and why the command had nothing to do", () => {
    expect(nothingToDo("promote", "web", at("Healthy"))).toBe('rollout "web" is Healthy; nothing to promote');
    expect(nothingToDo("abort", "web", at("Degraded", true))).toBe(
      'rollout "web" is already aborted; nothing to abort',
    );
    expect(nothingToDo("abort", "web", at("Healthy"))).toBe(
      'rollout "web" is Healthy with no release in progress; nothing to abort',
    );
    expect(nothingToDo("retry", "web", at("Healthy"))).toBe('rollout "web" is not aborted; nothing to retry');
    expect(nothingToDo("pause", "web", at("Paused"))).toBe('rollout "web" is already paused; nothing to pause');
    expect(nothingToDo("set env", "web", at("Healthy"))).toBe('rollout "web" env unchanged; no new revision');
  });

  it("points a resume at a step pause to promote", () => {
    expect(nothingToDo("resume", "web", at("Healthy"))).toBe('rollout "web" is not paused; nothing to resume');
    expect(nothingToDo("resume", "web", at("Paused"))).toMatch(/not paused with `sluice pause`.*`sluice promote web`/);
  });
});
