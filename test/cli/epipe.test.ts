import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { SLUICE_BIN } from "../helpers/cli.js";

// `sluice describe ro demo | head -3`: the reader closes the pipe while the CLI still writes.
describe("output into a pipe its reader closed", () => {
  it("exits 0 quietly instead of crashing on EPIPE", async () => {
    const child = spawn(process.execPath, [SLUICE_BIN, "completion"], { stdio: ["ignore", "pipe", "pipe"] });
    // Closed before the CLI writes its first line, as `| true` would: every write meets a closed pipe.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  }, 60_000);
});
