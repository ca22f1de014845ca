import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lintCommand } from "../../../src/cli/lint.js";
import { runSluice } from "../../helpers/cli.js";

/**
 * The import corpus: realistic Argo Rollouts and Flagger manifests (written for this repository),
 * each beside the Sluice resources `sluice import` must print (NAME.expected.yaml) and the warnings
 * it must give (NAME.warnings.txt). A change to the import shows here as a diff to review; after
 * reviewing it, `SLUICE_UPDATE_CORPUS=1 npx vitest run test/import/corpus` rewrites the files.
 */
const dir = fileURLToPath(new URL("./", import.meta.url));
const inputs = readdirSync(dir).filter((f) => f.endsWith(".yaml") && !f.endsWith(".expected.yaml"));
const update = process.env.SLUICE_UPDATE_CORPUS === "1";

describe("sluice import: the corpus", () => {
  it("has Argo and Flagger cases", () => {
    expect(inputs.some((f) => f.startsWith("argo-"))).toBe(true);
    expect(inputs.some((f) => f.startsWith("flagger-"))).toBe(true);
  });

  it.each(inputs)("%s: the expected resources and warnings, exit 0, output passes lint", async (input) => {
    const base = input.replace(/\.yaml$/, "");
    // A path relative to the repository root (vitest's working directory), as a user would type it.
    const r = await runSluice(["import", `test/import/corpus/${input}`]);
    if (update) {
      writeFileSync(`${dir}${base}.expected.yaml`, r.stdout);
      writeFileSync(`${dir}${base}.warnings.txt`, r.stderr);
    }
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(`${dir}${base}.expected.yaml`, "utf8"));
    expect(r.stderr).toBe(readFileSync(`${dir}${base}.warnings.txt`, "utf8"));

    const lint: string[] = [];
    const code = await lintCommand(
      ["-"],
      { log: () => {}, error: (t) => lint.push(t) },
      { readStdin: async () => r.stdout },
    );
    expect(code).toBe(0);
    // The only thing lint may say is that a placeholder import wrote still needs its real value.
    expect(lint.filter((l) => !l.includes("REPLACE-ME"))).toEqual([]);
  });
});
