import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadText } from "./load.js";

// Each file's first line says which error it must produce, without the file name:
// `# expect: :17 spec.strategy.canary.steps[2].setWeight: must be between 0 and 100, got 120`.
const dir = fileURLToPath(new URL("./testdata/broken/", import.meta.url));
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((file) => {
    const text = readFileSync(dir + file, "utf8");
    const expected = /^# expect: (.+)$/m.exec(text.split("\n")[0] ?? "")?.[1];
    return { file, text, expected };
  });

describe("broken manifests", () => {
  it("has a case for each kind of mistake", () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    for (const c of cases) expect(c.expected, `${c.file} lacks an "# expect:" first line`).toBeDefined();
  });

  it.each(cases)("$file gives the expected error", ({ file, text, expected }) => {
    const { resources, errors } = loadText(text, file);
    expect(errors.map(String)).toContain(`${file}${expected}`);
    // A broken document is never returned as a resource.
    expect(resources.length).toBeLessThan(text.split(/^---$/m).length);
  });
});
