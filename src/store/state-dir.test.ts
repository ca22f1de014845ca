import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { secureStateDir } from "./state-dir.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "sluice-statedir-"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const mode = (f: string) => statSync(f).mode & 0o777;

describe("secureStateDir", () => {
  it("creates the directory and logs/ owner-only", () => {
    const dir = path.join(root, ".sluice");
    expect(secureStateDir(dir)).toEqual([]);
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, "logs"))).toBe(0o700);
  });

  it("tightens a directory, logs and state files an older Sluice left readable by others", () => {
    const dir = path.join(root, ".sluice");
    mkdirSync(path.join(dir, "logs"), { recursive: true, mode: 0o755 });
    chmodSync(dir, 0o755);
    chmodSync(path.join(dir, "logs"), 0o775);
    const files = ["controller.log", "router.json", "router-config.json", "api-token", "logs/web-abc-0.log"];
    for (const f of files) writeFileSync(path.join(dir, f), "x", { mode: 0o644 });
    expect(secureStateDir(dir)).toEqual([]);
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.join(dir, "logs"))).toBe(0o700);
    for (const f of files) expect([f, mode(path.join(dir, f))]).toEqual([f, 0o600]);
  });

  it("keeps the owner's bits and leaves what is not a regular file alone", () => {
    const dir = path.join(root, ".sluice");
    mkdirSync(path.join(dir, "logs"), { recursive: true });
    writeFileSync(path.join(dir, "sluice.db"), "x", { mode: 0o444 });
    const elsewhere = path.join(root, "elsewhere.txt");
    writeFileSync(elsewhere, "x", { mode: 0o644 });
    symlinkSync(elsewhere, path.join(dir, "link"));
    secureStateDir(dir);
    expect(mode(path.join(dir, "sluice.db"))).toBe(0o400);
    expect(mode(elsewhere)).toBe(0o644);
  });

  // Root may chmod anything; an immutable file is what root cannot tighten.
  it.runIf(process.getuid?.() === 0)("warns with the path and the command when a file cannot be tightened", () => {
    const dir = path.join(root, ".sluice");
    mkdirSync(dir, { mode: 0o700 });
    const file = path.join(dir, "controller.log");
    writeFileSync(file, "x", { mode: 0o644 });
    execFileSync("chattr", ["+i", file]);
    try {
      const warnings = secureStateDir(dir);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        new RegExp(
          `^${file} is readable by other users \\(mode 0644\\) and could not be made private \\(.+\\); run chmod 600 ${file}$`,
        ),
      );
    } finally {
      execFileSync("chattr", ["-i", file]);
    }
  });

  it("fails with the path when the directory cannot be created", () => {
    const blocker = path.join(root, "file");
    writeFileSync(blocker, "");
    expect(() => secureStateDir(path.join(blocker, ".sluice"))).toThrow(/file/);
  });
});
