import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
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

describe("docs/router-examples", () => {
  const routerDir = fileURLToPath(new URL("../../docs/router-examples/", import.meta.url));
  const routerFiles = readdirSync(routerDir).filter((f) => f.endsWith(".yaml"));

  it.each(routerFiles)("%s: its Sluice resources load with no errors (the rest is for kubectl)", (file) => {
    const docs = parseAllDocuments(readFileSync(routerDir + file, "utf8"))
      .map((d) => d.toJS() as { apiVersion?: string })
      .filter((d) => d?.apiVersion?.startsWith("sluice.dev/"));
    expect(docs.length).toBeGreaterThan(0);
    const { resources, errors } = loadText(docs.map((d) => stringify(d)).join("---\n"), file);
    expect(errors.map(String)).toEqual([]);
    expect(resources.some((r) => r.kind === "Rollout" && r.spec.strategy.canary?.trafficRouting)).toBe(true);
  });
});
