import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SANDBOX = fileURLToPath(new URL("./condition-sandbox.ts", import.meta.url));

describe("evaluateInSandbox", () => {
  it("lets a process that evaluated a condition exit by itself once it is idle", async () => {
    const script = `import { evaluateInSandbox } from ${JSON.stringify(SANDBOX)};
console.log(JSON.stringify(await evaluateInSandbox("result > 1", 2)));`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    const exited = await new Promise<boolean>((resolve) => {
      // Before the fix the evaluation process's stderr pipe held the parent open for good.
      const timer = setTimeout(() => resolve(false), 30_000);
      child.on("exit", () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!exited) child.kill("SIGKILL");
    expect(out.trim()).toBe('{"value":true}');
    expect(exited).toBe(true);
  }, 40_000);
});
