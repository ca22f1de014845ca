import { describe, expect, it } from "vitest";
import type { Rollout } from "../model/index.js";
import { hookPayload } from "./payload.js";

describe("hookPayload", () => {
  it("carries Flagger's fields and Sluice's, with the hook's metadata", () => {
    const rollout = { metadata: { name: "web", namespace: "shop" }, status: { phase: "Paused" } } as unknown as Rollout;
    expect(
      hookPayload(
        rollout,
        { name: "tests", type: "pre-rollout", metadata: { cmd: "curl -s http://web-canary/" } },
        { revision: "abc123", weight: 0, step: 0, attempt: 2 },
      ),
    ).toEqual({
      name: "web",
      namespace: "shop",
      type: "pre-rollout",
      hook: "tests",
      phase: "Paused",
      revision: "abc123",
      checksum: "abc123",
      step: 0,
      weight: 0,
      attempt: 2,
      metadata: { cmd: "curl -s http://web-canary/" },
    });
  });

  it("a local rollout has the default namespace and no step when the hook sits before none", () => {
    const p = hookPayload(
      { metadata: { name: "web" } } as unknown as Rollout,
      { name: "n", type: "event" },
      {
        revision: "r",
        weight: 10,
      },
    );
    expect(p.namespace).toBe("default");
    expect(p.phase).toBe("Progressing");
    expect("step" in p).toBe(false);
  });
});
