import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, describe, expect, it } from "vitest";
import { ConditionSandbox } from "./condition-sandbox.js";

/**
 * Passes the cost estimate (each level looks like a one-item list) but multiplies the list by
 * `copies`, `levels` times, then scans it all: `[result].all(v0, [v0 + v0].all(v1, ... v<n>.exists(x, x < 0.0)))`.
 */
function doubling(levels: number, copies = 2): string {
  let body = `v${levels}.exists(x, x < 0.0)`;
  for (let i = levels; i > 0; i--)
    body = `[${Array(copies)
      .fill(`v${i - 1}`)
      .join(" + ")}].all(v${i}, ${body})`;
  return `[result].all(v0, ${body})`;
}
const DOUBLING = doubling(22);

describe("ConditionSandbox", () => {
  const sandbox = new ConditionSandbox({ deadlineMs: 200 });
  afterAll(() => sandbox.close());

  it("evaluates conditions in the evaluation process", async () => {
    expect(await sandbox.evaluate("result >= 0.99", 0.995)).toEqual({ value: true });
    expect(await sandbox.evaluate("result.x > 1.0", {})).toEqual({ error: expect.stringContaining("x") });
    expect(await sandbox.evaluate("result >=", 1)).toEqual({ error: expect.stringContaining("does not compile") });
  });

  it("stops a runaway evaluation at the deadline without blocking this thread, then keeps answering", async () => {
    await sandbox.evaluate("true", 1); // the process is up, so the deadline alone is measured
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const outcome = await sandbox.evaluate(DOUBLING, [1, 2, 3, 4]);
    const took = performance.now() - started;
    delay.disable();
    // 4 × 2^22 items: out of time or out of the process heap, stopped either way.
    expect(outcome).toEqual({ stopped: expect.stringMatching(/200 ms deadline|evaluation process/) });
    expect(took).toBeLessThan(5_000);
    expect(delay.max / 1e6).toBeLessThan(1_000);
    expect(await sandbox.evaluate("result == 2.0", 2)).toEqual({ value: true });
  });

  it("queues jobs behind a runaway one and answers each", async () => {
    const outcomes = await Promise.all([
      sandbox.evaluate(DOUBLING, [1]),
      sandbox.evaluate("result < 1.0", 0.5),
      sandbox.evaluate("result < 1.0", 1.5),
    ]);
    expect(outcomes[0]).toHaveProperty("stopped");
    expect(outcomes.slice(1)).toEqual([{ value: true }, { value: false }]);
  });

  it("stops an evaluation that runs the evaluation process out of memory, without harming this one", async () => {
    const patient = new ConditionSandbox({ deadlineMs: 60_000 });
    try {
      // 10 × 8^10 items is 8 GB of list, far past its heap.
      const outcome = await patient.evaluate(doubling(10, 8), new Array(10).fill(1));
      expect(outcome).toEqual({ stopped: expect.stringMatching(/evaluation process exited .*out of memory/) });
      expect(await patient.evaluate("result", true)).toEqual({ value: true });
    } finally {
      await patient.close();
    }
  });

  it("ends waiting evaluations when closed", async () => {
    const own = new ConditionSandbox();
    const pending = own.evaluate("result", true);
    await own.close();
    expect(await pending).toEqual({ stopped: "the condition sandbox was closed" });
  });
});
