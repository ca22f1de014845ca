import { describe, expect, it } from "vitest";
import { DemoWaitError, sleep, until } from "./wait.js";

describe("until", () => {
  it("resolves with the first value that is not undefined", async () => {
    let calls = 0;
    const value = await until(() => (++calls >= 3 ? calls : undefined), { timeoutMs: 5_000, what: "three calls" });
    expect(value).toBe(3);
  });

  it("names what it waited for when the deadline passes", async () => {
    await expect(until(() => undefined, { timeoutMs: 150, what: "v2-0 in canary" })).rejects.toThrow(
      /v2-0 in canary did not happen within 0 s/,
    );
  });

  it("gives up at once when the condition throws", async () => {
    const started = Date.now();
    await expect(
      until(
        () => {
          throw new DemoWaitError("v2-0 was rejected");
        },
        { timeoutMs: 10_000, what: "never" },
      ),
    ).rejects.toThrow("v2-0 was rejected");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("stops when the signal aborts", async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 50);
    await expect(until(() => undefined, { timeoutMs: 10_000, what: "x", signal: abort.signal })).rejects.toThrow(
      /interrupted while waiting for x/,
    );
  });
});

describe("sleep", () => {
  it("ends early when the signal aborts", async () => {
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 20);
    await sleep(10_000, abort.signal);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
