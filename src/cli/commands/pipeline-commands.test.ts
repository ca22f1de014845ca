import { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import { captureOutput, fakeApi, type SentRequest } from "../testing.js";
import { registerPipelineCommands } from "./pipeline-commands.js";

const entry = {
  time: "2026-12-04T08:00:00.000Z",
  pipeline: "shop",
  release: "v2",
  stage: "prod",
  type: "Approved",
  actor: "alice",
  reason: "ok",
  seq: 1,
};

/** Parses `argv` as the real program does and returns what was sent to the API. */
async function run(argv: string[]): Promise<{ sent: SentRequest[]; stdout: string[]; codes: number[] }> {
  const answer = (req: SentRequest) => ({ status: 201, body: req.path === "/releases" ? release : entry });
  const release = {
    metadata: { name: "v2", annotations: {} },
    spec: { pipeline: "shop", env: [], featuresEnv: "SLUICE_FEATURES" },
  };
  const { api, sent } = fakeApi({
    "POST /releases": answer,
    "POST /pipelines/shop/approve": answer,
    "POST /pipelines/shop/deny": answer,
    "POST /pipelines/shop/promote": answer,
    "POST /releases/v2/unreject": answer,
  });
  const program = new Command("sluice").exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  const out = captureOutput();
  const codes: number[] = [];
  registerPipelineCommands(
    program,
    {
      api: () => api,
      exit: (c) => codes.push(c),
      outputOption: () => new Option("-o, --output <format>").default("table"),
      parseTimeout: Number,
    },
    out,
  );
  for (const cmd of program.commands) {
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride();
  }
  await program.parseAsync(argv, { from: "user" });
  return { sent, stdout: out.stdout, codes };
}

describe("pipeline command arguments", () => {
  it("release create: repeatable --set-env, variadic --args, source flags", async () => {
    const { sent } = await run([
      "release",
      "create",
      "shop",
      "v2",
      "--command",
      "node",
      "--args",
      "a.js",
      "b",
      "--set-env",
      "A=1",
      "--set-env",
      "B=2",
      "--commit",
      "abc",
    ]);
    expect(sent.at(-1)).toMatchObject({
      method: "POST",
      path: "/releases",
      body: {
        metadata: { name: "v2" },
        spec: {
          pipeline: "shop",
          command: "node",
          args: ["a.js", "b"],
          env: [
            { name: "A", value: "1" },
            { name: "B", value: "2" },
          ],
          source: { commit: "abc" },
        },
      },
    });
  });

  it("approve, deny and pipeline promote send stage, release and reason", async () => {
    for (const verb of ["approve", "deny"]) {
      const { sent, stdout } = await run([verb, "shop", "prod", "--release", "v2", "--reason", "why not"]);
      expect(sent.at(-1)).toMatchObject({
        path: `/pipelines/shop/${verb}`,
        body: { stage: "prod", release: "v2", reason: "why not" },
      });
      expect(stdout[0]).toMatch(/^recorded #1 Approved/);
    }
    const { sent } = await run(["pipeline", "promote", "shop", "prod", "--release", "v2", "--reason", "roll back"]);
    expect(sent.at(-1)).toMatchObject({
      path: "/pipelines/shop/promote",
      body: { release: "v2", reason: "roll back" },
    });
    const unreject = await run(["release", "unreject", "v2", "--reason", "fixed upstream"]);
    expect(unreject.sent.at(-1)).toMatchObject({ path: "/releases/v2/unreject", body: { reason: "fixed upstream" } });
  });

  it("refuses every mutation without --reason", async () => {
    for (const argv of [
      ["approve", "shop", "prod", "--release", "v2"],
      ["release", "reject", "v2"],
      ["pipeline", "promote", "shop", "prod", "--release", "v2"],
      ["pipeline", "retry", "shop", "prod", "--release", "v2"],
    ])
      await expect(run(argv)).rejects.toThrow(/required option '--reason <text>' not specified/);
  });

  it("pipeline wait needs --release and --stage", async () => {
    await expect(run(["pipeline", "wait", "shop", "--stage", "prod"])).rejects.toThrow(/--release/);
    await expect(run(["pipeline", "wait", "shop", "--release", "v2"])).rejects.toThrow(/--stage/);
  });
});
