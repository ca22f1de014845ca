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
