import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseManifests, readManifests, STDIN } from "./documents.js";

describe("parseManifests", () => {
  it("reads every document with the line it starts at, skipping empty ones", () => {
    const r = parseManifests("kind: A\n---\n---\n# c\nkind: B\n", "f.yaml");
    expect(r.problems).toEqual([]);
    expect(r.documents).toEqual([
      { source: "f.yaml", line: 1, value: { kind: "A" } },
      { source: "f.yaml", line: 5, value: { kind: "B" } },
    ]);
  });

  it("expands kind: List and top-level lists into their items", () => {
    const r = parseManifests('{"kind":"List","items":[{"kind":"A"},{"kind":"B"}]}\n---\n[{"kind":"C"}]', "l.json");
    expect(r.documents.map((d) => d.value.kind)).toEqual(["A", "B", "C"]);
  });

  it("refuses input nested past 64 levels with one line instead of overflowing the stack", () => {
    for (const text of [
      `${"- ".repeat(5000)}apiVersion: x\nkind: y\n`,
      `a: ${"[".repeat(20_000)}${"]".repeat(20_000)}`,
    ]) {
      const r = parseManifests(text, "deep.yaml");
      expect(r.documents).toEqual([]);
      expect(r.problems).toEqual([
        expect.objectContaining({
          severity: "error",
          source: "deep.yaml",
          message: expect.stringMatching(/^nested deeper than 64 levels/),
        }),
      ]);
    }
  });

  it("reports YAML syntax errors and non-mappings with their line", () => {
    const r = parseManifests("kind: A\n---\nkind: [B\n---\n- 1\n", "bad.yaml");
    expect(r.documents.map((d) => d.value.kind)).toEqual(["A"]);
    expect(r.problems.map((p) => [p.line, p.message.split(":")[0]])).toEqual([
      [4, "YAML syntax"],
      [5, "not a resource (expected a mapping with apiVersion and kind)"],
    ]);
  });

  it("names the line of an unrendered Helm template instead of letting YAML stringify it with a Node warning", async () => {
    const warnings: string[] = [];
    const listener = (w: Error) => warnings.push(w.message);
    process.on("warning", listener);
    try {
      const text =
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: {{ .Values.name }}\n---\nkind: B\n";
      const r = parseManifests(text, "chart/rollout.yaml");
      expect(r.documents.map((d) => d.value.kind)).toEqual(["B"]);
      expect(r.problems).toEqual([
        {
          severity: "error",
          source: "chart/rollout.yaml",
          line: 4,
          message:
            "looks like an unrendered template ({{ … }}); render it first (helm template, kustomize build) and import the output",
        },
      ]);
      // Node emits process warnings on a later tick; let one pass before looking.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", listener);
    }
  });
});

describe("readManifests", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-import-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads directories recursively in name order, skipping hidden entries and other files", async () => {
    await mkdir(join(dir, "sub"));
    await mkdir(join(dir, ".git"));
    await writeFile(join(dir, "b.yaml"), "kind: B\n");
    await writeFile(join(dir, "a.yml"), "kind: A\n");
    await writeFile(join(dir, "sub", "c.json"), '{"kind": "C"}');
    await writeFile(join(dir, ".git", "d.yaml"), "kind: D\n");
    await writeFile(join(dir, "notes.txt"), "kind: E\n");
    const r = await readManifests([dir]);
    expect(r.documents.map((d) => d.value.kind)).toEqual(["A", "B", "C"]);
  });

  it("reads - from standard input and reports unreadable paths", async () => {
    const missing = join(dir, "nope.yaml");
    const r = await readManifests(["-", missing], { readStdin: async () => "kind: S\n" });
    expect(r.documents).toEqual([{ source: STDIN, line: 1, value: { kind: "S" } }]);
    expect(r.problems).toEqual([
      { severity: "error", source: missing, message: "cannot read: no such file or directory" },
    ]);
  });
});
