import { describe, expect, it } from "vitest";
import { runSluice } from "../helpers/cli.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { teardownAfterEach } from "../helpers/teardown.js";

// `describe rollout` against a real `sluice up`: each revision with what it runs, and under the
// canary what changed against stable, env names only.
const started = teardownAfterEach();

describe("sluice describe rollout: what changed", () => {
  it("shows the canary's changes against stable, naming env vars without their values", async () => {
    const c = await started.controller();
    const strategy = { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } };
    await c.api.post("/apply", { resources: [demoRollout("web", { VERSION: "1.0" }, strategy)] });
    await waitForRollout(c.api, "web", isHealthy);
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0-secret-value", CACHE_TTL: "30" } });
    await waitForRollout(c.api, "web", (r) => r.status?.phase === "Paused", { message: "web paused at 20%" });

    const run = await runSluice(["describe", "rollout", "web", "--state-dir", c.stateDir]);
    expect(run.stderr).toBe("");
    const section = run.stdout.slice(run.stdout.indexOf("Revision templates:"));
    const lines = section.split("\n").filter((l) => l.trim() !== "");
    expect(lines[0]).toBe("Revision templates:");
    expect(lines[1]).toMatch(/^ {2}#2 canary 20% {2}\w{10} {2}command .*; env .*CACHE_TTL/);
    expect(lines).toContain("       env +CACHE_TTL");
    expect(lines).toContain("       env VERSION changed");
    expect(lines.some((l) => /^ {2}#1 stable 80%/.test(l))).toBe(true);
    expect(section).not.toContain("2.0-secret-value");
  });
});
