import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadPaths, loadText } from "./load.js";

const dir = fileURLToPath(new URL("../../docs/examples/", import.meta.url));
const files = readdirSync(dir)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

describe("docs/examples", () => {
  it("has the examples the docs point to", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "analysis-templates.yaml",
        "blue-green-local.yaml",
        "canary-kubernetes.yaml",
        "canary-local.yaml",
      ]),
    );
  });

  it.each(files)("%s loads with no errors", (file) => {
    const text = readFileSync(dir + file, "utf8");
    const { resources, errors } = loadText(text, file);
    expect(errors.map(String)).toEqual([]);
    expect(resources.length).toBeGreaterThan(0);
  });

  it("loads as one directory, with no name clashes between files", async () => {
    const { resources, errors } = await loadPaths([dir]);
    expect(errors.map(String)).toEqual([]);
    expect(resources.length).toBeGreaterThanOrEqual(files.length);
  });

  it("runs the demo app on the local platform in canary-local.yaml", () => {
    const { resources } = loadText(readFileSync(`${dir}canary-local.yaml`, "utf8"), "canary-local.yaml");
    const rollout = resources.find((r) => r.kind === "Rollout");
    if (rollout?.kind !== "Rollout") throw new Error("no Rollout in canary-local.yaml");
    expect(rollout.spec.template.process).toMatchObject({
      command: "node",
      args: ["--import", "tsx", "demo/app/server.ts"],
    });
  });
});
