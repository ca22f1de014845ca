import { Command, Option } from "commander";
import { ApiClientError } from "../api/client.js";
import { CliError } from "./cli-error.js";
import { isClusterMode } from "./connect.js";
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
// The Kubernetes client keeps idle connections to the API server open for a while; the command is
// done, so leave once what it printed has been written rather than wait for them to close.
if (isClusterMode(program.opts()))
  process.stdout.write("", () => process.stderr.write("", () => process.exit(process.exitCode ?? 0)));

function oneLine(err: unknown): string {
  if (err instanceof ApiClientError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

export { Option };
