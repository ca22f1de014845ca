import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ValidationError } from "./errors.js";
import { loadPaths, loadText, parseResource } from "./load.js";

const template = (name: string) => `apiVersion: sluice.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ${name}
spec:
  metrics:
    - name: success-rate
      successCondition: result.canary.successRate >= 0.99
      provider:
        builtin: {}
`;
const badRollout = `apiVersion: sluice.dev/v1alpha1
kind: Rollout
metadata:
  name: demo
spec:
  template:
    process:
      command: node
  strategy:
    canary:
      steps:
        - setWeight: 10
        - setWeight: 101
`;

describe("loadText", () => {
  it("returns resources parsed with defaults", () => {
    const { resources, errors } = loadText(template("health"), "t.yaml");
    expect(errors).toEqual([]);
    expect(resources).toHaveLength(1);
    const t = resources[0];
    if (t?.kind !== "AnalysisTemplate") throw new Error("expected an AnalysisTemplate");
    expect(t.spec.metrics[0]?.failureLimit).toBe(0);
    expect(t.spec.metrics[0]?.provider.builtin?.minRequests).toBe(100);
  });

  it("names file, line and field path, without a document index for a single document", () => {
    const { resources, errors } = loadText(badRollout, "rollout.yaml");
    expect(resources).toEqual([]);
    expect(errors.map(String)).toEqual([
      "rollout.yaml:13 spec.strategy.canary.steps[1].setWeight: must be between 0 and 100, got 101",
    ]);
    expect(errors[0]).toMatchObject({ file: "rollout.yaml", docIndex: 1, line: 13 });
  });

  it("names the document when there are several, and keeps the valid ones", () => {
    const text = `${template("a")}---\n${badRollout}---\n# only a comment\n---\n${template("b")}`;
    const { resources, errors } = loadText(text, "all.yaml");
    expect(resources.map((r) => r.metadata.name)).toEqual(["a", "b"]);
    expect(errors.map(String)).toEqual([
      "all.yaml[doc 2]:24 spec.strategy.canary.steps[1].setWeight: must be between 0 and 100, got 101",
    ]);
    expect(errors[0]?.docIndex).toBe(2);
  });

  it("reports a YAML syntax error with its line and still loads the other documents", () => {
    const text = `${template("a")}---\nkind: [Rollout\nspec: 1\n`;
    const { resources, errors } = loadText(text, "x.yaml");
    expect(resources).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/^x\.yaml\[doc 2\]:13 YAML syntax: \S/);
  });

  it("reports unresolvable aliases as syntax errors instead of throwing", () => {
    const { errors } = loadText("apiVersion: *nope\n", "a.yaml");
    expect(errors.map(String)).toEqual([expect.stringMatching(/^a\.yaml:1 YAML syntax: .*nope/)]);
  });

  it("reads JSON, with line numbers", () => {
    const json = JSON.stringify(
      { apiVersion: "sluice.dev/v1alpha1", kind: "AnalysisTemplate", metadata: { name: "t" }, spec: { metrics: 3 } },
      null,
      2,
    );
    expect(loadText(json, "t.json").errors.map(String)).toEqual(["t.json:8 spec.metrics: expected list, got number"]);
  });

  it("reads a top-level list as several resources, with the index in the path", () => {
    const list = `- ${template("a").replaceAll("\n", "\n  ")}\n- {apiVersion: sluice.dev/v1alpha1, kind: Nope}\n`;
    const { resources, errors } = loadText(list, "list.yaml");
    expect(resources.map((r) => r.metadata.name)).toEqual(["a"]);
    expect(errors.map(String)).toEqual([expect.stringMatching(/^list\.yaml:12 \[1\]\.kind: unknown kind "Nope"/)]);
  });

  it("reports a second resource with the same kind and name", () => {
    const { resources, errors } = loadText(`${template("a")}---\n${template("a")}`, "d.yaml");
    expect(resources).toHaveLength(1);
    expect(errors.map(String)).toEqual([
      'd.yaml[doc 2]:15 metadata.name: duplicate AnalysisTemplate "a", already defined at d.yaml[doc 1]:4',
    ]);
  });

  it("returns nothing for empty input", () => {
    expect(loadText("", "e.yaml")).toEqual({ resources: [], errors: [] });
    expect(loadText("# nothing\n---\n", "e.yaml")).toEqual({ resources: [], errors: [] });
  });

  it("runs extra checks on valid resources, locating their paths", () => {
    const seen: string[] = [];
    const lines: (number | undefined)[] = [];
    const { resources, errors } = loadText(template("t"), "t.yaml", {
      extraChecks: (resource, locate) => {
        seen.push(resource.kind);
        lines.push(locate("metadata.name"), locate("spec.metrics[0].provider.builtin"));
        return [
          { path: "spec.metrics[0].successCondition", message: "bad condition" },
          { path: "spec.metrics[0]", message: "explicit line", line: 99 },
        ];
      },
    });
    expect(seen).toEqual(["AnalysisTemplate"]);
    expect(lines).toEqual([4, 10]);
    expect(resources).toEqual([]);
    expect(errors.map(String)).toEqual([
      "t.yaml:8 spec.metrics[0].successCondition: bad condition",
      "t.yaml:99 spec.metrics[0]: explicit line",
    ]);
  });
});

describe("parseResource", () => {
  it("returns the parsed resource", () => {
    const r = parseResource({
      apiVersion: "sluice.dev/v1alpha1",
      kind: "AnalysisTemplate",
      metadata: { name: "t" },
      spec: {},
    });
    expect(r.kind).toBe("AnalysisTemplate");
    if (r.kind === "AnalysisTemplate") expect(r.spec.metrics).toEqual([]);
  });

  it("throws a ValidationError whose message is the one-line errors", () => {
    const bad = { apiVersion: "sluice.dev/v1alpha1", kind: "Rollout", metadata: { name: "Bad!" } };
    let caught: unknown;
    try {
      parseResource(bad, "request");
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const err = caught as ValidationError;
    expect(err.errors.map((e) => e.path)).toEqual(["metadata.name", "spec"]);
    expect(err.message).toBe(
      "request metadata.name: must be lowercase letters, digits and '-', starting and ending with a letter or digit, got \"Bad!\"\n" +
        "request spec: required field is missing",
    );
  });
});

describe("loadPaths", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-load-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("walks directories recursively in sorted order, taking only manifest files", async () => {
    await mkdir(join(dir, "b", "deep"), { recursive: true });
    await mkdir(join(dir, ".hidden"));
    await writeFile(join(dir, "z.yaml"), template("z"));
    await writeFile(join(dir, "a.yml"), template("a"));
    await writeFile(join(dir, "b", "deep", "c.json"), JSON.stringify(loadText(template("c"), "x").resources[0]));
    await writeFile(join(dir, "b", "notes.txt"), "not: a manifest");
    await writeFile(join(dir, ".hidden", "h.yaml"), template("h"));
    const { resources, errors } = await loadPaths([dir]);
    expect(errors).toEqual([]);
    expect(resources.map((r) => r.metadata.name)).toEqual(["a", "c", "z"]);
  });

  it("names files as given and reports duplicates across files", async () => {
    await writeFile(join(dir, "one.yaml"), template("t"));
    await writeFile(join(dir, "two.yaml"), template("t"));
    const { resources, errors } = await loadPaths([join(dir, "one.yaml"), join(dir, "two.yaml")]);
    expect(resources).toHaveLength(1);
    expect(errors.map(String)).toEqual([
      `${join(dir, "two.yaml")}:4 metadata.name: duplicate AnalysisTemplate "t", already defined at ${join(dir, "one.yaml")}:4`,
    ]);
  });

  it("reads - from the injected stdin reader", async () => {
    let reads = 0;
    const readStdin = async () => {
      reads++;
      return badRollout;
    };
    const { errors } = await loadPaths(["-"], { readStdin });
    expect(reads).toBe(1);
    expect(errors.map(String)).toEqual([
      "<stdin>:13 spec.strategy.canary.steps[1].setWeight: must be between 0 and 100, got 101",
    ]);
  });

  it("reports a path that does not exist and goes on with the rest", async () => {
    await writeFile(join(dir, "ok.yaml"), template("ok"));
    const missing = join(dir, "missing.yaml");
    const { resources, errors } = await loadPaths([missing, join(dir, "ok.yaml")]);
    expect(resources).toHaveLength(1);
    expect(errors.map(String)).toEqual([`${missing} cannot read: no such file or directory`]);
  });
});
