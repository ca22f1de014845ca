import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { manifestFiles, unreadableReason } from "./manifest-files.js";

describe("manifestFiles", () => {
  it("finds manifests recursively in sorted order, skipping hidden entries and other files", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-files-"));
    try {
      mkdirSync(path.join(dir, "b"));
      mkdirSync(path.join(dir, ".sluice"));
      for (const f of ["b/z.yml", "a.json", "c.yaml", "notes.txt", ".sluice/x.yaml"])
        writeFileSync(path.join(dir, f), "{}");
      const found = (await manifestFiles(dir)).map((f) => path.relative(dir, f));
      expect(found).toEqual(["a.json", "b/z.yml", "c.yaml"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("unreadableReason", () => {
  it("says what went wrong in words", () => {
    expect(unreadableReason(Object.assign(new Error("x"), { code: "ENOENT" }))).toBe(
      "cannot read: no such file or directory",
    );
    expect(unreadableReason(new Error("EACCES: permission denied"))).toBe("cannot read: EACCES: permission denied");
  });
});
