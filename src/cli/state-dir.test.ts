import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resolveStateDir } from "./state-dir.js";

describe("resolveStateDir", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "sluice-statedir-"));
    vi.stubEnv("SLUICE_STATE_DIR", "");
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(root, { recursive: true, force: true });
  });

  it("finds the nearest .sluice above the working directory, as git finds .git", async () => {
    await mkdir(path.join(root, ".sluice"));
    const deep = path.join(root, "services", "web");
    await mkdir(deep, { recursive: true });
    expect(resolveStateDir(undefined, deep)).toBe(path.join(root, ".sluice"));
  });

  it("prefers the closest one", async () => {
    const inner = path.join(root, "inner");
    await mkdir(path.join(root, ".sluice"));
    await mkdir(path.join(inner, ".sluice"), { recursive: true });
    expect(resolveStateDir(undefined, inner)).toBe(path.join(inner, ".sluice"));
  });

  it("falls back to .sluice in the working directory when there is none", () => {
    expect(resolveStateDir(undefined, root)).toBe(path.join(root, ".sluice"));
  });

  it("takes --state-dir, then $SLUICE_STATE_DIR, over any .sluice found", async () => {
    await mkdir(path.join(root, ".sluice"));
    vi.stubEnv("SLUICE_STATE_DIR", "/tmp/from-env");
    expect(resolveStateDir(undefined, root)).toBe("/tmp/from-env");
    expect(resolveStateDir("/tmp/from-flag", root)).toBe("/tmp/from-flag");
  });
});
