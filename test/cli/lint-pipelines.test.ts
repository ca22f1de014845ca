import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSluice } from "../helpers/cli.js";

const examples = fileURLToPath(new URL("../../docs/examples/pipeline/", import.meta.url));

// The real `sluice lint`, as a user runs it on the shipped pipeline example and on broken copies of it.
describe("sluice lint on pipelines", () => {
  let dir: string;
  let shipped: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-lint-pipelines-"));
    shipped = await readFile(join(examples, "pipeline.yaml"), "utf8");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("accepts the shipped pipeline example with its rollouts", async () => {
    const run = await runSluice(["lint", examples]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("refuses an approval no role can give and a stage without its rollout, each on its own line", async () => {
    const file = join(dir, "pipeline.yaml");
    const broken = shipped
      .replace("roles: [approver]", "roles: [release-manager]")
      .replace("shop-staging\n", "shop-stagin\n");
    expect(broken).not.toBe(shipped);
    await writeFile(file, broken);
    const run = await runSluice(["lint", file, join(examples, "rollouts.yaml")]);
    expect(run.code).toBe(1);
    const lineOf = (text: string) => broken.split("\n").findIndex((l) => l.includes(text)) + 1;
    expect(run.stderr.split("\n")).toEqual(
      expect.arrayContaining([
        `${file}:${lineOf("rollout: shop-stagin")} spec.stages[1].rollout: no Rollout named "shop-stagin"; lint the pipeline together with its rollouts`,
        `${file}:${lineOf("roles: [release-manager]")} spec.stages[2].approval.from.roles[0]: no role named "release-manager"; the roles are viewer, operator, approver, admin`,
      ]),
    );
    expect(run.stderr).toMatch(/^2 errors; \d+ resources OK$/m);
  });
});
