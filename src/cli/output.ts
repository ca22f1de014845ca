import { createRequire } from "node:module";
import { wrapToWidth } from "./format/wrap.js";

// yaml is loaded on first use: most commands print tables, and start-up time counts.
const require = createRequire(import.meta.url);

/** Where a command writes. Injected so tests can capture output without a child process. */
export interface Output {
  log(text: string): void;
  error(text: string): void;
  /** Whether stdout is a terminal: colour and screen redraws only then. */
  isTTY: boolean;
  /** The terminal's width in columns, when stdout is one: long views wrap at words to fit it. */
  readonly columns?: number | undefined;
}

export const processOutput: Output = {
  log: (t) => process.stdout.write(`${t}\n`),
  error: (t) => process.stderr.write(`${t}\n`),
  isTTY: Boolean(process.stdout.isTTY),
  // Read on every use: the terminal can be resized while `get --watch` runs.
  get columns() {
    return process.stdout.isTTY ? process.stdout.columns : undefined;
  },
};

/** A view fitted to the terminal, wrapped at words; unchanged when stdout is not a terminal. */
export function fitted(out: Output, text: string): string {
  return out.columns ? wrapToWidth(text, out.columns) : text;
}

export type Format = "table" | "wide" | "json" | "yaml";

/** Prints data as JSON or YAML; returns false for table formats, which the command renders itself. */
export function printStructured(out: Output, format: Format, data: unknown): boolean {
  if (format === "json") out.log(JSON.stringify(data, null, 2));
  else if (format === "yaml") out.log((require("yaml") as typeof import("yaml")).stringify(data).trimEnd());
  else return false;
  return true;
}
