import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lintCommand } from "./lint.js";

const good = (name: string) => `apiVersion: sluice.dev/v1alpha1
kind: AnalysisTemplate
metadata:
  name: ${name}
spec:
  metrics:
    - name: m
      successCondition: result >= 0.99
      provider: {builtin: {}}
`;

function capture() {
  const out = { logs: [] as string[], errors: [] as string[] };
  return { out, sink: { log: (t: string) => out.logs.push(t), error: (t: string) => out.errors.push(t) } };
}

describe("lintCommand", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-lint-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("prints N resources OK and exits 0 when everything is valid", async () => {
    await writeFile(join(dir, "a.yaml"), `${good("a")}---\n${good("b")}`);
    const { out, sink } = capture();
    expect(await lintCommand([dir], sink)).toBe(0);
    expect(out.logs).toEqual(["2 resources OK"]);
    expect(out.errors).toEqual([]);
  });

  it("prints every error on its own line and exits 1", async () => {
    const file = join(dir, "bad.yaml");
    await writeFile(file, good("a").replace("name: a", "name: A").replace("0.99", "0.99\n      bogus: 1"));
    const { out, sink } = capture();
    expect(await lintCommand([file], sink)).toBe(1);
    expect(out.errors).toEqual([
      `${file}:4 metadata.name: must be lowercase letters, digits and '-', starting and ending with a letter or digit, got "A"`,
      `${file}:9 spec.metrics[0].bogus: unknown field "bogus"`,
      "2 errors; 0 resources OK",
    ]);
    expect(out.logs).toEqual([]);
  });

  it("reads standard input for -", async () => {
    const { out, sink } = capture();
    expect(await lintCommand(["-"], sink, { readStdin: async () => good("s") })).toBe(0);
    expect(out.logs).toEqual(["1 resource OK"]);
  });

  it("fails when there is nothing to lint", async () => {
    const { out, sink } = capture();
    expect(await lintCommand([dir], sink)).toBe(1);
    expect(out.errors).toEqual([`no resources found in ${dir}`]);
    expect(await lintCommand([], sink)).toBe(1);
  });

  it("accepts every shipped example", async () => {
    const examples = new URL("../../docs/examples/", import.meta.url).pathname;
    const { out, sink } = capture();
    expect(await lintCommand([examples], sink)).toBe(0);
    expect(out.logs[0]).toMatch(/^\d+ resources OK$/);
  });
});

describe("lintCommand with analysis checks", () => {
  it("reports a CEL condition that does not parse, at its line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sluice-lint-cel-"));
    try {
      const file = join(dir, "t.yaml");
      await writeFile(file, good("t").replace("result >= 0.99", "result >= "));
      const { out, sink } = capture();
      expect(await lintCommand([file], sink)).toBe(1);
      expect(out.errors[0]).toMatch(
        new RegExp(`^${file.replaceAll("/", "\\/")}:8 spec\\.metrics\\[0\\]\\.successCondition: `),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const rollout = (name: string, namespace?: string) => `apiVersion: sluice.dev/v1alpha1
kind: Rollout
metadata:
  name: ${name}${namespace ? `\n  namespace: ${namespace}` : ""}
spec:
  template: {process: {command: node}}
  strategy: {blueGreen: {}}
`;

// Lines are fixed so tests can name them: stage i's rollout is on line 8 + 2i (stages take 2 lines).
const pipeline = (stages: string[], namespace?: string) => `apiVersion: sluice.dev/v1alpha1
kind: Pipeline
metadata:
  name: shop${namespace ? `\n  namespace: ${namespace}` : ""}
spec:
  stages:
${stages.join("\n")}
`;
const stage = (name: string, rolloutName: string, extra = "") =>
  `    - name: ${name}\n      rollout: ${rolloutName}${extra}`;

describe("lintCommand with pipelines", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-lint-pipeline-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("accepts a pipeline whose rollouts are in another file of the run", async () => {
    await writeFile(join(dir, "p.yaml"), pipeline([stage("canary", "web-canary"), stage("prod", "web")]));
    await writeFile(join(dir, "r.yaml"), `${rollout("web-canary")}---\n${rollout("web")}`);
    const { out, sink } = capture();
    expect(await lintCommand([join(dir, "p.yaml"), join(dir, "r.yaml")], sink)).toBe(0);
    expect(out.logs).toEqual(["3 resources OK"]);
  });

  it("reports a stage whose rollout is not linted with it, at the stage's rollout line", async () => {
    const file = join(dir, "p.yaml");
    await writeFile(file, pipeline([stage("canary", "web-canary"), stage("prod", "web")]));
    await writeFile(join(dir, "r.yaml"), rollout("web"));
    const { out, sink } = capture();
    expect(await lintCommand([dir], sink)).toBe(1);
    expect(out.errors).toEqual([
      `${file}:8 spec.stages[0].rollout: no Rollout named "web-canary"; lint the pipeline together with its rollouts`,
      "1 error; 1 resource OK",
    ]);
  });

  it("matches namespaces when both sides set one", async () => {
    const file = join(dir, "p.yaml");
    await writeFile(
      file,
      pipeline([stage("a", "web"), stage("b", "web", "\n      namespace: prod"), stage("c", "api")], "shop"),
    );
    await writeFile(join(dir, "r.yaml"), `${rollout("web", "shop")}---\n${rollout("api")}`);
    const { out, sink } = capture();
    expect(await lintCommand([dir], sink)).toBe(1);
    // `web` is in shop (the pipeline's namespace) but stage b wants prod; `api` sets none, so it fits.
    expect(out.errors).toEqual([
      `${file}:11 spec.stages[1].rollout: no Rollout named "web" in namespace prod; lint the pipeline together with its rollouts`,
      "1 error; 2 resources OK",
    ]);
  });

  it("reports a pipeline's own problems with file, line and field path, alongside a missing rollout", async () => {
    const file = join(dir, "p.yaml");
    await writeFile(
      file,
      pipeline([
        stage("canary", "web", "\n      after: [prod]"),
        stage("prod", "gone", "\n      approval:\n        from: {roles: [release-manager]}"),
      ]),
    );
    await writeFile(join(dir, "r.yaml"), rollout("web"));
    const { out, sink } = capture();
    expect(await lintCommand([dir], sink)).toBe(1);
    expect(out.errors).toEqual([
      `${file}:9 spec.stages[0].after: stages follow each other in a cycle: canary -> prod -> canary`,
      `${file}:11 spec.stages[1].rollout: no Rollout named "gone"; lint the pipeline together with its rollouts`,
      `${file}:13 spec.stages[1].approval.from.roles[0]: no role named "release-manager"; the roles are viewer, operator, approver, admin`,
      "3 errors; 1 resource OK",
    ]);
  });

  it("reads standard input once, though a missing rollout makes it check the input twice", async () => {
    let reads = 0;
    const readStdin = async () => {
      reads++;
      return pipeline([stage("canary", "nope")]);
    };
    const { out, sink } = capture();
    expect(await lintCommand(["-"], sink, { readStdin })).toBe(1);
    expect(reads).toBe(1);
    expect(out.errors[0]).toBe(
      '<stdin>:8 spec.stages[0].rollout: no Rollout named "nope"; lint the pipeline together with its rollouts',
    );
  });
});
