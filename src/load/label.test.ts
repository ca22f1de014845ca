import { mkdtempSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { generatedRevision, loadHeaderValue, loadSecret } from "./label.js";

describe("generated-load label", () => {
  it("keeps one owner-only secret per state directory", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-load-"));
    const a = loadSecret(dir);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(loadSecret(dir)).toBe(a);
    expect(statSync(path.join(dir, "load-secret")).mode & 0o777).toBe(0o600);
  });

  it("names the revision only with the right secret", () => {
    const secret = "s".repeat(64);
    expect(generatedRevision(loadHeaderValue(secret, "abc123"), secret)).toBe("abc123");
    expect(generatedRevision(`${"t".repeat(64)} abc123`, secret)).toBeUndefined();
    expect(generatedRevision("1", secret)).toBeUndefined();
    expect(generatedRevision(`${secret} `, secret)).toBeUndefined();
    expect(generatedRevision(["a", "b"], secret)).toBeUndefined();
    expect(generatedRevision(loadHeaderValue(secret, "abc"), undefined)).toBeUndefined();
  });
});
