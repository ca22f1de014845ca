import { Command, Option } from "commander";
import { ApiClientError } from "../api/client.js";
import { CliError } from "./cli-error.js";
import { processOutput } from "./output.js";
import { registerCommands } from "./program.js";

const program = new Command("sluice");
registerCommands(program, processOutput);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const verbose = process.argv.includes("--verbose");
  process.exitCode = err instanceof CliError ? err.exitCode : 1;
  processOutput.error(`error: ${oneLine(err)}`);
  if (verbose && err instanceof Error) processOutput.error(err.stack ?? "");
}

function oneLine(err: unknown): string {
  if (err instanceof ApiClientError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export { Option };
