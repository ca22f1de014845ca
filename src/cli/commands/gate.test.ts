import { describe, expect, it } from "vitest";
import type { Rollout } from "../../model/index.js";
import { gateLines, openedLine } from "./gate.js";

describe("gate command output", () => {
  const gates = [
    {
      key: "step/1",
      name: "qa",
      type: "gate" as const,
      revision: "r",
      waitingSince: "2025-01-01T00:00:00Z",
      attempts: 0,
      failures: 0,
    },
    {
      key: "hook/ok",
      name: "ok",
      type: "confirm-promotion" as const,
      revision: "r",
      waitingSince: "2025-01-01T00:00:00Z",
      attempts: 2,
      failures: 2,
      lastAnswer: "answered HTTP 403",
      nextTryAt: "2025-01-01T00:00:20Z",
    },
  ];

  it("describe shows waiting since, tries, last answer and next try", () => {
    expect(gateLines(gates)).toEqual([
      "qa (gate step): waiting since 2025-01-01T00:00:00Z",
      "ok (confirm-promotion hook): waiting since 2025-01-01T00:00:00Z; 2 tries, 2 failed; last answer: answered HTTP 403; next try 2025-01-01T00:00:20Z",
    ]);
  });

  it("says who opened the gate", () => {
    const opened = {
      ...(gates[0] as (typeof gates)[number]),
      openedAt: "2025-01-01T00:05:00Z",
      openedBy: "alice",
      reason: "QA ok",
    };
    const rollout = { status: { phase: "Progressing", message: "step 3/3", gates: [opened] } } as unknown as Rollout;
    expect(openedLine(rollout, undefined)).toBe('gate "qa" opened by alice; Progressing — step 3/3');
    expect(gateLines([opened])).toEqual(["qa (gate step): opened 2025-01-01T00:05:00Z by alice: QA ok"]);
  });
});
