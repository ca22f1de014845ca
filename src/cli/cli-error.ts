/**
 * An error the CLI reports as one line: what went wrong and what to do. `exitCode` follows the
 * command's documented codes (1 by default).
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
