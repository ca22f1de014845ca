import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startFailure } from "./start-failure.js";

const dir = mkdtempSync(path.join(tmpdir(), "sluice-start-failure-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const enoent = Object.assign(new Error("spawn node ENOENT"), { code: "ENOENT" });

describe("startFailure", () => {
  it("blames a missing working directory, not the command Node names", () => {
    expect(startFailure(enoent, { command: "node", cwd: path.join(dir, "gone") })).toBe(
      `could not start: the working directory ${path.join(dir, "gone")} does not exist (spec.template.process.cwd)`,
    );
  });
  it("names a command that is not found or not executable", () => {
    expect(startFailure(enoent, { command: "nodee", cwd: dir })).toMatch(/command nodee was not found/);
    const eacces = Object.assign(new Error("spawn x EACCES"), { code: "EACCES" });
    expect(startFailure(eacces, { command: "./x" })).toMatch(/command \.\/x is not executable/);
  });
  it("passes anything else through", () => {
    expect(startFailure(new Error("boom"), { command: "node" })).toBe("could not start (boom)");
  });
});
