import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RouterConfig } from "./config.js";
import { RouterConfigError } from "./errors.js";
import { loadConfig, saveConfig } from "./persist.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), "sluice-persist-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const cfg: RouterConfig = {
  generation: 7,
  rollouts: [
    {
      rollout: "shop",
      hosts: ["shop"],
      backends: [{ revision: "a", endpoints: ["127.0.0.1:1"] }],
      traffic: { weights: { a: 100 }, headerRoutes: [], mirrorRoutes: [] },
    },
  ],
};

describe("saveConfig / loadConfig", () => {
  it("round-trips a config and leaves no temp file", () => {
    const dir = tempDir();
    const file = path.join(dir, "router-config.json");
    saveConfig(file, cfg);
    saveConfig(file, { ...cfg, generation: 8 });
    expect(loadConfig(file)).toEqual({ ...cfg, generation: 8 });
    expect(readdirSync(dir)).toEqual(["router-config.json"]);
  });

  it("returns undefined when nothing was saved", () => {
    expect(loadConfig(path.join(tempDir(), "missing.json"))).toBeUndefined();
  });

  it("rejects a corrupt file", () => {
    const file = path.join(tempDir(), "router-config.json");
    writeFileSync(file, "{not json");
    expect(() => loadConfig(file)).toThrow(RouterConfigError);
    writeFileSync(file, JSON.stringify({ generation: "x", rollouts: [] }));
    expect(() => loadConfig(file)).toThrow(/generation/);
  });
});
