import { describe, expect, it } from "vitest";
import { crashLoopMessage, describeExit, neverReadyMessage, seconds, times } from "./messages.js";

describe("messages", () => {
  it("counts in words up to seven", () => {
    expect([1, 2, 3, 7, 8, 12].map(times)).toEqual([
      "once",
      "twice",
      "three times",
      "seven times",
      "8 times",
      "12 times",
    ]);
  });

  it("describes exits", () => {
    expect(describeExit(1, null)).toBe("exited with code 1");
    expect(describeExit(0, null)).toBe("exited with code 0");
    expect(describeExit(null, "SIGKILL")).toBe("was killed by SIGKILL");
    expect(describeExit(null, null)).toBe("exited");
  });

  it("rounds seconds and never says 0 s", () => {
    expect([0, 400, 1500, 40_200].map(seconds)).toEqual([1, 1, 2, 40]);
  });

  it("explains a crash loop with the last log line", () => {
    expect(
      crashLoopMessage({ index: 2, exit: "exited with code 1", count: 3, spanMs: 40_000, lastLine: "Error: no DB" }),
    ).toBe("replica 2 exited with code 1 three times in 40 s; last log line: Error: no DB");
    expect(crashLoopMessage({ index: 0, exit: "was killed by SIGSEGV", count: 9, spanMs: 59_000 })).toBe(
      "replica 0 was killed by SIGSEGV 9 times in 59 s; its log is empty",
    );
  });

  it("explains a replica that never became ready", () => {
    expect(
      neverReadyMessage({
        index: 1,
        waitedMs: 60_000,
        reason: "readiness probe: GET /ready: 503",
        lastLine: "warming up",
      }),
    ).toBe("replica 1 is not ready after 60 s (readiness probe: GET /ready: 503); last log line: warming up");
  });
});
