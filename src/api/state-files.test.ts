import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiStateFileError, createToken, readApiAddress, writeApiAddress } from "./state-files.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "sluice-api-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("createToken", () => {
  it("creates a 32-byte hex token readable by its owner only, and reuses it", () => {
    const token = createToken(dir);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(dir, "api-token");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8").trim()).toBe(token);
    expect(createToken(dir)).toBe(token);
  });

  it("tightens a loosened token file and replaces an invalid one", () => {
    const file = path.join(dir, "api-token");
    const token = createToken(dir);
    chmodSync(file, 0o644);
    expect(createToken(dir)).toBe(token);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, "oops");
    const fresh = createToken(dir);
    expect(fresh).not.toBe(token);
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
  });

  it("creates the state directory when missing", () => {
    expect(createToken(path.join(dir, "a", "b"))).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("api address", () => {
  it("round-trips and is undefined when never written", () => {
    expect(readApiAddress(dir)).toBeUndefined();
    writeApiAddress(dir, "http://127.0.0.1:4321", 99);
    expect(readApiAddress(dir)).toEqual({ url: "http://127.0.0.1:4321", pid: 99 });
    expect(JSON.parse(readFileSync(path.join(dir, "api.json"), "utf8")).url).toBe("http://127.0.0.1:4321");
  });

  it("is readable by its owner only, even when an older file was world-readable", () => {
    writeFileSync(path.join(dir, "api.json"), "{}", { mode: 0o644 });
    writeApiAddress(dir, "http://127.0.0.1:4321");
    expect(statSync(path.join(dir, "api.json")).mode & 0o777).toBe(0o600);
  });

  it("throws ApiStateFileError for a file it cannot use", () => {
    writeFileSync(path.join(dir, "api.json"), "{");
    expect(() => readApiAddress(dir)).toThrow(ApiStateFileError);
    writeFileSync(path.join(dir, "api.json"), '{"port": 1}');
    expect(() => readApiAddress(dir)).toThrow(/has no "url"/);
  });
});
