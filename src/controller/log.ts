import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

/** The formats `--log-format` accepts. */
export const LOG_FORMATS = ["json", "text"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
/** The levels `--log-level` accepts, quietest last. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A bad `--log-format` or `--log-level`, named with the values that work. */
export class LogOptionError extends Error {
  override readonly name = "LogOptionError";
}

export interface LogOptions {
  /** Unset: JSON when stderr is not a terminal (as Kubernetes controllers log), text on a terminal. */
  format?: string;
  level?: string;
  /** Where lines go; stderr by default, so stdout stays for command output. */
  destination?: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * The one logger the controller and router write through: levelled, JSON for log collectors,
 * one readable line per entry for a person at a terminal.
 */
export function createLogger(options: LogOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const format = parseFormat(options.format, destination.isTTY === true);
  const level = parseLevel(options.level);
  const base = { base: undefined, level };
  if (format === "json") return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, textStream(destination));
}

function parseFormat(format: string | undefined, tty: boolean): LogFormat {
  if (format === undefined) return tty ? "text" : "json";
  if ((LOG_FORMATS as readonly string[]).includes(format)) return format as LogFormat;
  throw new LogOptionError(`--log-format "${format}" is not known; use ${LOG_FORMATS.join(" or ")}`);
}

function parseLevel(level: string | undefined): LogLevel {
  if (level === undefined) return "info";
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new LogOptionError(`--log-level "${level}" is not known; use one of ${LOG_LEVELS.join(", ")}`);
}

const LEVEL_NAMES: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};

/** Turns pino's JSON lines into `TIME LEVEL message key=value ...`; a line it cannot parse passes as is. */
function textStream(destination: NodeJS.WritableStream): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString("utf8");
      try {
        const { time, level, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
        const extra = Object.entries(fields)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ");
        const name = LEVEL_NAMES[level as number] ?? String(level);
        destination.write(`${time} ${name.padEnd(5)} ${msg ?? ""}${extra ? ` ${extra}` : ""}\n`);
      } catch {
        destination.write(line);
      }
      done();
    },
  });
}
