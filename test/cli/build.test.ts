import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/controller.js";

const run = promisify(execFile);
// Its own output directory: dist/cli belongs to `npm ci` and to CLIs other tests start.
const NAME = `dist/cli-test-${process.pid}`;
const OUT = path.join(REPO_ROOT, NAME);
const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The JavaScript build `npm ci` makes (scripts/build-cli.mjs), and what the container image runs from it. */
describe("the CLI's JavaScript build", () => {
  beforeAll(async () => {
    const { stdout } = await run(process.execPath, ["scripts/build-cli.mjs", "--out", NAME], { cwd: REPO_ROOT });
    expect(stdout).toMatch(new RegExp(`built ${NAME} from \\d+ source files`));
  }, 120_000);
  afterAll(() => rmSync(OUT, { recursive: true, force: true }));

  const cli = (...args: string[]) => run(process.execPath, [path.join(OUT, "main.js"), ...args], { cwd: REPO_ROOT });

  it("prints the package's version (modules find package.json from their chunk)", async () => {
    expect((await cli("--version")).stdout.trim()).toBe(version);
  });

  it("lints the shipped examples, loading the lint command's chunk", async () => {
    const { stdout } = await cli("lint", "docs/examples");
    expect(stdout).toMatch(/^\d+ resources OK$/m);
  });

  it("starts the controller command as the image's entrypoint does (its help needs every flag wired)", async () => {
    const { stdout } = await cli("controller", "--help");
    expect(stdout).toContain("--metrics-listen");
  });

  it("records every source it was built from, which the launcher checks before trusting the build", () => {
    const inputs = JSON.parse(readFileSync(path.join(OUT, "inputs.json"), "utf8")) as Record<string, number>;
    expect(inputs["src/cli/main.ts"]).toBeGreaterThan(0);
    expect(inputs["src/cli/commands/get.ts"]).toBeGreaterThan(0);
  });

  it("refuses an output directory where chunks could not find package.json", async () => {
    await expect(
      run(process.execPath, ["scripts/build-cli.mjs", "--out", "build"], { cwd: REPO_ROOT }),
    ).rejects.toMatchObject({
      code: 2,
    });
  });
});
