import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CliError } from "../cli-error.js";
import { dashboardCommand, splitListen } from "./dashboard.js";

function capture() {
  const lines: string[] = [];
  return { lines, out: { log: (t: string) => lines.push(t), error: (t: string) => lines.push(t), isTTY: false } };
}

describe("sluice dashboard", () => {
  it("prints the local controller's dashboard address and how to sign in", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-dash-"));
    try {
      writeFileSync(path.join(dir, "api.json"), JSON.stringify({ url: "http://127.0.0.1:4321" }));
      const { lines, out } = capture();
      await dashboardCommand({ stateDir: dir }, out);
      expect(lines[0]).toBe("Dashboard: http://127.0.0.1:4321/dashboard/");
      expect(lines[1]).toMatch(/sluice token create/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says how to start a controller when there is none", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-dash-"));
    try {
      await expect(dashboardCommand({ stateDir: dir }, capture().out)).rejects.toThrow(/sluice up/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads --listen as HOST:PORT and refuses anything else", () => {
    expect(splitListen("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(splitListen("[::1]:8765")).toEqual({ host: "::1", port: 8765 });
    for (const bad of ["8765", "host:", "h:99999", "h:p"]) expect(() => splitListen(bad)).toThrow(CliError);
  });
});
