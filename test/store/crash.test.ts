import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { waitFor } from "../helpers/wait.js";

const LOOP = fileURLToPath(new URL("../../src/store/fixtures/commit-loop.ts", import.meta.url));

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a store whose process is killed with SIGKILL mid-loop", () => {
  it("reopens with the last committed status and exactly its events", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "sluice-crash-"));
    const child = spawn(process.execPath, ["--import", "tsx", LOOP, dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    // "close" comes after the pipes drain, so `out` then holds every counter the child printed.
    const closed = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("close", (_code, signal) => resolve(signal)),
    );
    try {
      await waitFor(() => lastCounter(out) >= 200, {
        timeoutMs: 20_000,
        message: `commit loop progress (stderr: ${err})`,
      });
    } finally {
      child.kill("SIGKILL");
    }
    expect(await closed).toBe("SIGKILL");
    const printed = lastCounter(out);

    const store = openStore(dir);
    try {
      const status = store.getResource("Rollout", "web") as unknown as { status: { counter: number } };
      const counter = status.status.counter;
      // Everything printed was committed; at most one more commit may have landed before the kill.
      expect(counter).toBeGreaterThanOrEqual(printed);
      expect(counter).toBeLessThanOrEqual(printed + 1);
      // Status and events committed together: one event per committed status, none for a lost one.
      const events = store.listEvents({ kind: "Rollout", name: "web" });
      expect(events).toHaveLength(counter + 1);
      expect(events.at(-1)?.message).toBe(String(counter));
    } finally {
      store.close();
    }
  }, 30_000);
});

function lastCounter(out: string): number {
  const lines = out.trim().split("\n");
  // The last line may be cut short by the kill; the one before it is whole.
  const whole = out.endsWith("\n") ? lines.at(-1) : lines.at(-2);
  return whole === undefined || whole === "" ? -1 : Number(whole);
}
