import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import type { ApiClient } from "../api/client.js";
import { ApiClientError } from "../api/client.js";
import { loadWithOrigins, traceErrors } from "./apply-origins.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sluice-origins-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const template = (name: string) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name },
  spec: { metrics: [{ name: "ok", provider: { command: { command: ["true"], result: "exitCode" } } }] },
});
const rollout = (name: string, templateName: string) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name },
  spec: {
    template: { process: { command: "node" } },
    strategy: { canary: { steps: [{ analysis: { templates: [{ templateName }] } }] } },
  },
});
const PATH = "spec.strategy.canary.steps[0].analysis.templates[0].templateName";
const missing = (t: string) => `AnalysisTemplate "${t}" not found; apply it first or in the same file`;

describe("loadWithOrigins", () => {
  it("records the file and the line of each field of each resource, from files, directories and stdin", async () => {
    mkdirSync(path.join(dir, "more"));
    const a = path.join(dir, "a.yaml");
    const b = path.join(dir, "more", "b.yaml");
    writeFileSync(a, [stringify(template("t1")), stringify(rollout("web", "t1"))].join("---\n"));
    writeFileSync(b, stringify(rollout("api", "t2")));
    const loaded = await loadWithOrigins([a, path.join(dir, "more"), "-"], async () => stringify(template("t3")));
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources.map((r) => r.metadata.name)).toEqual(["t1", "web", "api", "t3"]);
    expect(loaded.files).toEqual([a, b, "<stdin>"]);
    const web = loaded.resources[1]!;
    expect(loaded.originOf(web)?.file).toBe(a);
    expect(loaded.originOf(web)?.line(PATH)).toBe(
      [stringify(template("t1")), stringify(rollout("web", "t1"))]
        .join("---\n")
        .split("\n")
        .findIndex((l) => l.includes("templateName: t1")) + 1,
    );
  });
});

describe("traceErrors", () => {
  it("gives each controller error the file and line of the resource it is about", async () => {
    const a = path.join(dir, "a.yaml");
    const b = path.join(dir, "b.yaml");
    writeFileSync(a, stringify(rollout("web", "fine")));
    writeFileSync(b, stringify(rollout("api", "gone")));
    const loaded = await loadWithOrigins([a, b]);
    // A controller that knows no template at all: each rollout alone fails on its own reference.
    const api = {
      post: async (_path: string, body: { resources: unknown[] }) => {
        const name = JSON.stringify(body.resources[0]).match(/"templateName":"(\w+)"/)?.[1] ?? "";
        throw new ApiClientError("Invalid", "x", 400, { details: [{ file: "?", path: PATH, message: missing(name) }] });
      },
    } as unknown as ApiClient;
    const lines = await traceErrors(
      api,
      loaded,
      [
        { file: "a.yaml, b.yaml", path: PATH, message: missing("gone") },
        { file: "a.yaml, b.yaml", path: "spec.x", message: "untraceable" },
      ],
      "a.yaml, b.yaml",
    );
    const line = stringify(rollout("api", "gone"))
      .split("\n")
      .findIndex((l) => l.includes("templateName: gone"));
    expect(lines).toEqual([`${b}:${line + 1} ${PATH}: ${missing("gone")}`, "a.yaml, b.yaml spec.x: untraceable"]);
  });
});
