import type { Command, Option } from "commander";
import type { ApiClient } from "../../api/client.js";
import type { Format, Output } from "../output.js";
import type { StageVerb } from "./pipeline-request.js";
import type { ReleaseCreateFlags } from "./release.js";

// Each action imports its module when it runs, as program.ts does, to keep the CLI's start-up short.

/** What the pipeline commands borrow from the program: the API connection, exit codes, shared options. */
export interface PipelineCommandContext {
  api: () => ApiClient;
  exit: (code: number) => void;
  outputOption: () => Option;
  parseTimeout: (value: string) => number;
}

const REASON = "--reason <text>";
const REASON_HELP = "why: the record keeps it with who asked (required)";

/**
 * Wires the pipeline verbs into commander: `release create|reject|unreject`, `approve`, `deny`,
 * `pipeline promote|retry|history|wait`. Each command's work lives in its own file.
 */
export function registerPipelineCommands(program: Command, ctx: PipelineCommandContext, out: Output): void {
  const collect = (value: string, previous: string[] = []) => [...previous, value];

  const release = program.command("release").description("create a release of a pipeline, or reject one");
  release
    .command("create <pipeline> <name>")
    .description("store an immutable release: what changes (image, command, args, env, features) and its source")
    .option("--image <image>", "Kubernetes: the container image")
    .option("--container <name>", "Kubernetes: the container to change (default the first)")
    .option("--command <program>", "local platform: the program to run (replaces args too)")
    .option("--args <args...>", "the program's arguments")
    .option("--set-env <NAME=VALUE>", "set an environment variable (repeatable)", collect)
    .option("--features <file>", "a JSON file of per-version flags, given to the process as JSON")
    .option("--features-env <name>", "the variable that carries the features (default SLUICE_FEATURES)")
    .option("--commit <sha>", "the commit it was built from")
    .option("--build-url <url>", "the build that made it")
    .action(async (pipeline: string, name: string, o: ReleaseCreateFlags) => {
      const { releaseCreateCommand } = await import("./release.js");
      await releaseCreateCommand(ctx.api(), pipeline, name, o, out);
    });
  for (const verb of ["reject", "unreject"] as const)
    release
      .command(`${verb} <name>`)
      .description(
        verb === "reject"
          ? "stop a release: no stage receives it again, automatically or by hand"
          : "lift a rejection; the release's gates run again",
      )
      .requiredOption(REASON, REASON_HELP)
      .addOption(ctx.outputOption())
      .action(async (name: string, o: { reason: string; output: Format }) => {
        const { releaseRequestCommand } = await import("./pipeline-request.js");
        await releaseRequestCommand(ctx.api(), verb, name, o, out);
      });

  for (const verb of ["approve", "deny"] as const)
    program
      .command(`${verb} <pipeline> <stage>`)
      .description(
        verb === "approve"
          ? "approve the release waiting at a stage's approval gate (needs an approver token)"
          : "deny the release waiting at a stage's approval gate: it is rejected (needs an approver token)",
      )
      .option("--release <name>", "the release (default the one waiting for approval in the stage)")
      .requiredOption(REASON, REASON_HELP)
      .addOption(ctx.outputOption())
      .action(async (pipeline: string, stage: string, o: { release?: string; reason: string; output: Format }) => {
        const { stageRequestCommand, waitingRelease } = await import("./pipeline-request.js");
        const api = ctx.api();
        const name = o.release ?? (await waitingRelease(api, pipeline, stage));
        await stageRequestCommand(api, verb, pipeline, stage, name, o, out);
      });

  const pipeline = program.command("pipeline").description("promote, retry, read the record of, or wait on a pipeline");
  const stageVerbs: Record<Extract<StageVerb, "promote" | "retry">, string> = {
    promote: "put a release into a stage through its gates; an older good release rolls the stage back at once",
    retry: "run a stage's verification and checks again for a release",
  };
  for (const verb of ["promote", "retry"] as const)
    pipeline
      .command(`${verb} <pipeline> <stage>`)
      .description(stageVerbs[verb])
      .requiredOption("--release <name>", "the release")
      .requiredOption(REASON, REASON_HELP)
      .addOption(ctx.outputOption())
      .action(async (name: string, stage: string, o: { release: string; reason: string; output: Format }) => {
        const { stageRequestCommand } = await import("./pipeline-request.js");
        await stageRequestCommand(ctx.api(), verb, name, stage, o.release, o, out);
      });
  pipeline
    .command("history <pipeline>")
    .description("the record: time, release, stage, type, actor and reason of every transition")
    .option("--release <name>", "only this release's entries")
    .addOption(ctx.outputOption())
    .action(async (name: string, o: { release?: string; output: Format }) => {
      const { pipelineHistoryCommand } = await import("./pipeline-history.js");
      await pipelineHistoryCommand(ctx.api(), name, o, out);
    });
  pipeline
    .command("wait <pipeline>")
    .description(
      "wait until a release is Healthy in a stage; exit 0 Healthy, 1 rejected or failed, 2 timed out, 3 controller lost",
    )
    .requiredOption("--release <name>", "the release to wait for")
    .requiredOption("--stage <name>", "the stage it must be Healthy in")
    .option("-t, --timeout <duration>", "give up after this long (e.g. 90s, 30m)", ctx.parseTimeout, 30 * 60_000)
    .action(async (name: string, o: { release: string; stage: string; timeout: number }) => {
      const { pipelineWaitCommand } = await import("./pipeline-wait.js");
      const code = await pipelineWaitCommand(
        ctx.api(),
        name,
        { release: o.release, stage: o.stage, timeoutMs: o.timeout, reconnect: ctx.api },
        out,
      );
      ctx.exit(code);
    });
}
