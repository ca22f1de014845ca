import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSluice } from "../helpers/cli.js";

const rollout = (spec: string) => `apiVersion: sluice.dev/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
${spec}
  template:
    process:
      command: node
  strategy:
    canary:
      steps:
        - pause: {duration: 10s}
`;

// Inputs that lint used to accept (and that then killed the controller), or that crashed lint itself.
describe("sluice lint on hostile input", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-lint-hostile-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ["replicas.yaml", rollout("  replicas: 1000000000"), ":6 spec.replicas: must be at most 10000, got 1000000000"],
    [
      "duration.yaml",
      rollout("  replicas: 1").replace("10s", '"99999999999999999999h"'),
      ":13 spec.strategy.canary.steps[0].pause.duration: must be at most one year (8760h)",
    ],
    [
      "deep.yaml",
      `a: ${"[".repeat(20_000)}${"]".repeat(20_000)}`,
      ":1 nested deeper than 64 levels; no Sluice resource needs that many",
    ],
    [
      "utf8.yaml",
      Buffer.concat([Buffer.from(rollout("  replicas: 1")), Buffer.from([0xfe])]),
      ":14 is not valid UTF-8; save it as UTF-8",
    ],
  ])("refuses %s with one line and exit code 1", async (name, content, expected) => {
    const file = join(dir, name);
    await writeFile(file, content);
    const run = await runSluice(["lint", file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}${expected}\n`);
    expect(run.stderr).not.toMatch(/Maximum call stack|RangeError|at .*\.js:\d+/);
  });

  it("still accepts a sane rollout", async () => {
    const file = join(dir, "ok.yaml");
    await writeFile(file, rollout("  replicas: 3"));
    const run = await runSluice(["lint", file]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });
});
