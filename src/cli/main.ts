import { Command, Option } from "commander";
import { ApiClientError } from "../api/client.js";
import { CliError } from "./cli-error.js";
import { isClusterMode } from "./connect.js";
import { processOutput } from "./output.js";
import { registerCommands } from "./program.js";

// A reader that stops early (`sluice describe ro demo | head -3`) closes the pipe: stop quietly,
// as Unix tools do, instead of crashing on the write that follows.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });

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
