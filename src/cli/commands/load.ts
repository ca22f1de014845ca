import { formatReport, progressLine } from "../../load/report.js";
import { type LoadReport, runLoad } from "../../load/sender.js";
import { durationMs } from "../../model/duration.js";
import { GeneratedLoad } from "../../model/generated-load.js";
import { CliError } from "../cli-error.js";
import type { Output } from "../output.js";

/** `sluice load` options as commander hands them over (strings, as typed). */
export interface LoadCommandOptions {
  rate: string;
  duration: string;
  concurrency?: string;
  method?: string;
  header?: string[];
  body?: string;
  timeout?: string;
  output?: "table" | "json";
  signal?: AbortSignal;
  /** Writes a progress line in place on a terminal; absent: no progress. */
  progress?: (line: string) => void;
}

/** Option names as users typed them, for one-line errors. */
const OPTION_OF: Record<string, string> = {
  rate: "--rate",
  duration: "--duration",
  concurrency: "--concurrency",
  method: "--method",
  headers: "--header",
  body: "--body",
  timeoutSeconds: "--timeout",
  paths: "URL",
};

/**
 * `sluice load URL`: sends requests at a fixed rate for a while, like hey, with the same bounds as
 * a rollout's `load` section, then prints a latency histogram and a status-code table. A progress
 * bar is drawn on a terminal; Ctrl-C stops early and still prints the report.
 */
export async function loadCommand(url: string, o: LoadCommandOptions, out: Output): Promise<LoadReport> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new CliError(`URL: "${url}" is not a URL; use one like http://127.0.0.1:8080/path`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:")
    throw new CliError(`URL: ${target.protocol} is not supported; use http:// or https://`);
  const headers: Record<string, string> = {};
  for (const h of o.header ?? []) {
    const i = h.indexOf(":");
    if (i <= 0) throw new CliError(`--header "${h}": use "Name: value"`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const parsed = GeneratedLoad.safeParse({
    rate: Number(o.rate),
    duration: /^\d+$/.test(o.duration) ? Number(o.duration) : o.duration,
    ...(o.concurrency !== undefined ? { concurrency: Number(o.concurrency) } : {}),
    ...(o.method !== undefined ? { method: o.method.toUpperCase() } : {}),
    paths: [`${target.pathname}${target.search}`],
    headers,
    ...(o.body !== undefined ? { body: o.body } : {}),
    ...(o.timeout !== undefined ? { timeoutSeconds: Number(o.timeout) } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "");
    throw new CliError(`${OPTION_OF[field] ?? field}: ${issue?.message ?? "invalid"}`);
  }
  const load = parsed.data;
  const runMs = durationMs(load.duration ?? 0);
  if (runMs <= 0) throw new CliError("--duration: must be more than 0, e.g. 30s");

  const report = await runLoad({
    origin: target.origin,
    load: { ...load, durationMs: runMs },
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.progress ? { onProgress: (p) => o.progress?.(progressLine(p)) } : {}),
  });
  // Clear the progress line so the report starts on a clean line.
  o.progress?.("");
  if (o.output === "json") {
    const r = report.results;
    out.log(
      JSON.stringify(
        {
          elapsedMs: report.elapsedMs,
          sent: report.sent,
          completed: r.completed,
          missed: r.missed,
          stopped: report.stopped,
          rate: { asked: load.rate, achieved: r.completed / (report.elapsedMs / 1000) },
          latencyMs: r.latencySummary(),
          statuses: Object.fromEntries(r.statuses),
          failures: Object.fromEntries(r.failures),
        },
        null,
        2,
      ),
    );
  } else out.log(formatReport(report, { rate: load.rate }));
  return report;
}

/**
 * The process side of `sluice load`: Ctrl-C stops the run (the report still prints) and a
 * progress bar is redrawn on stderr while stdout is a terminal.
 */
export async function runLoadCommand(url: string, o: LoadCommandOptions, out: Output): Promise<void> {
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once("SIGINT", onSigint);
  const tty = out.isTTY && process.stderr.isTTY;
  try {
    await loadCommand(
      url,
      {
        ...o,
        signal: stop.signal,
        ...(tty ? { progress: (line: string) => process.stderr.write(`\r\x1b[K${line}`) } : {}),
      },
      out,
    );
  } finally {
    process.off("SIGINT", onSigint);
    if (tty) process.stderr.write("\r\x1b[K");
  }
}
