import { describe, expect, it } from "vitest";
import { WorkQueue } from "./work-queue.js";

describe("WorkQueue", () => {
  it("processes a key added while it runs once more, never concurrently", async () => {
    const seen: string[] = [];
    let active = 0;
    let maxActive = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const q = new WorkQueue(
      async (k) => {
        active++;
        maxActive = Math.max(maxActive, active);
        seen.push(k);
        if (seen.length === 1) await gate;
        active--;
      },
      () => {},
    );
    q.add("a");
    q.add("a");
    q.add("a");
    release();
    await q.idle();
    expect(seen).toEqual(["a", "a"]);
    expect(maxActive).toBe(1);
  });

  it("with concurrency 2, runs two different keys at once but never one key twice at once", async () => {
    const running = new Set<string>();
    const seen: string[] = [];
    let maxActive = 0;
    let overlapSameKey = false;
    const gates: (() => void)[] = [];
    const q = new WorkQueue(
      async (k) => {
        if (running.has(k)) overlapSameKey = true;
        running.add(k);
        maxActive = Math.max(maxActive, running.size);
        seen.push(k);
        await new Promise<void>((r) => gates.push(r));
        running.delete(k);
      },
      () => {},
      Date.now,
      2,
    );
    q.add("a");
    q.add("b");
    q.add("c");
    q.add("a");
    expect(seen).toEqual(["a", "b"]);
    // Release in turn until everything queued has run.
    while (gates.length > 0) {
      gates.shift()?.();
      await new Promise((r) => setTimeout(r, 0));
    }
    await q.idle();
    expect(maxActive).toBe(2);
    expect(overlapSameKey).toBe(false);
    expect([...seen].sort()).toEqual(["a", "a", "b", "c"]);
  });

  it("keeps the earlier of two wake-ups", async () => {
    const seen: number[] = [];
    const start = Date.now();
    const q = new WorkQueue(
      async () => {
        seen.push(Date.now() - start);
      },
      () => {},
    );
    q.addAt("a", start + 5_000);
    q.addAt("a", start + 20);
    q.addAt("a", start + 10_000);
    const deadline = Date.now() + 2_000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    q.stop();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeLessThan(2_000);
  });

  it("reports errors and goes on", async () => {
    const errors: string[] = [];
    const done: string[] = [];
    const q = new WorkQueue(
      async (k) => {
        if (k === "bad") throw new Error("boom");
        done.push(k);
      },
      (k, e) => errors.push(`${k}: ${(e as Error).message}`),
    );
    q.add("bad");
    q.add("good");
    await q.idle();
    expect(errors).toEqual(["bad: boom"]);
    expect(done).toEqual(["good"]);
  });
});
