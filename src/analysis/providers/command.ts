import { execa } from "execa";
import type { Metric } from "../../model/index.js";
import { bodySnippet } from "./http.js";
import type { MeasureContext, MetricProviderPort, ProviderResult } from "./provider.js";

/** What a command inherits from the controller: enough to find programs and a home, nothing else. */
const INHERITED_ENV = ["PATH", "HOME", "LANG", "TZ"] as const;
const DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

/**
 * The whole environment of a command metric: PATH, HOME, LANG and TZ from the controller, then the
 * template's own variables. Never the rest of the controller's environment: its tokens and
 * credentials would become a measurement value that any reader of the analysis run can see.
 */
export function commandEnv(
  templateEnv: readonly { name: string; value: string }[],
  from: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = { PATH: from.PATH ?? DEFAULT_PATH };
  for (const name of INHERITED_ENV) {
    const value = from[name];
    if (value !== undefined) env[name] = value;
  }
  for (const e of templateEnv) env[e.name] = e.value;
  return env;
}

/**
 * More output than this is a broken check, not a metric (the largest result a condition accepts,
 * 10,000 numbers, is about 200 KB). Kept small because execa escapes every control character of a
 * failed command's output on the controller's thread: 4 MiB of NUL bytes held it for 0.8 s.
 */
const MAX_OUTPUT_BYTES = 512 * 1024;

/** How a command ended, as far as the verdict cares. */
export interface CommandOutcome {
  exitCode?: number;
  /** Set when a signal ended it (and it was not our timeout). */
  signal?: string;
  stdout: string;
  stderr: string;
  /** Set when the command could not be started at all (ENOENT, bad cwd). */
  spawnError?: string;
  timedOutAfterSeconds?: number;
  cancelled?: boolean;
  /** Set when it printed more than this many bytes and was stopped. */
  outputOverBytes?: number;
}

/** An argv as a user would type it in a shell, so the recorded query can be pasted and rerun. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/** The last non-blank line of some output, trimmed. */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  return (lines.at(-1) ?? "").trim();
}

/**
 * Turns how the command ended into a result. `exitCode` mode: true when it exited 0, false for any
 * other exit code. `json` mode: stdout parsed as JSON, and a non-zero exit is an error carrying the
 * last line of stderr. Not starting, a timeout, or death by a signal is an error in both modes.
 */
export function interpretCommandOutcome(o: CommandOutcome, mode: "exitCode" | "json", query: string): ProviderResult {
  const at = `command ${query}`;
  if (o.spawnError !== undefined)
    return { error: `${at} could not start (${o.spawnError}); check the path, the cwd and permissions`, query };
  if (o.timedOutAfterSeconds !== undefined)
    return {
      error: `${at} timed out after ${o.timedOutAfterSeconds}s and its process group was killed; make it faster or raise timeoutSeconds`,
      query,
    };
  if (o.outputOverBytes !== undefined)
    return {
      error: `${at} printed more than ${o.outputOverBytes} bytes and was stopped; make it print only the value`,
      query,
    };
  if (o.cancelled) return { error: `${at} was stopped because the measurement was cancelled`, query };
  if (o.signal !== undefined || o.exitCode === undefined)
    return { error: `${at} was killed by ${o.signal ?? "an unknown cause"}; check what stops it`, query };
  if (mode === "exitCode") return { value: o.exitCode === 0, query };
  if (o.exitCode !== 0)
    return {
      error: `${at} exited with code ${o.exitCode}: ${lastLine(o.stderr) || "(no stderr output)"}; run it by hand to see why`,
      query,
    };
  if (o.stdout.trim() === "") return { error: `${at} printed nothing on stdout; it must print a JSON value`, query };
  try {
    return { value: JSON.parse(o.stdout) as unknown, query };
  } catch {
    return {
      error: `${at} printed output that is not JSON (${bodySnippet(o.stdout)}); it must print a JSON value`,
      query,
    };
  }
}

/** Signals a whole process group, ignoring a group that is already gone. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: nothing left in the group.
  }
}

/**
 * Runs a command from an argv (never through a shell) in its own process group, so a timeout or a
 * cancellation can kill everything it started, children included.
 */
export class CommandMetricProvider implements MetricProviderPort {
  readonly kind = "command" as const;

  async measure(metric: Metric, ctx: MeasureContext): Promise<ProviderResult> {
    const spec = metric.provider.command;
    if (!spec) return { error: `metric "${metric.name}" has no command provider`, query: "" };
    const query = formatArgv(spec.command);
    try {
      return interpretCommandOutcome(await this.run(spec, ctx.signal), spec.result ?? "json", query);
    } catch (err) {
      return { error: `command ${query} failed unexpectedly: ${String(err)}`, query };
    }
  }

  private async run(spec: NonNullable<Metric["provider"]["command"]>, signal?: AbortSignal): Promise<CommandOutcome> {
    const [file, ...args] = spec.command;
    if (file === undefined) return { stdout: "", stderr: "", spawnError: "the argv is empty" };
    if (signal?.aborted) return { stdout: "", stderr: "", cancelled: true };
    const timeoutSeconds = spec.timeoutSeconds ?? 30;
    const subprocess = execa(file, args, {
      env: commandEnv(spec.env ?? []),
      extendEnv: false,
      ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
      shell: false,
      detached: true,
      reject: false,
      stdin: "ignore",
      maxBuffer: MAX_OUTPUT_BYTES,
    });
    let timedOut = false;
    let cancelled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(subprocess.pid);
    }, timeoutSeconds * 1000);
    const onAbort = () => {
      cancelled = true;
      killGroup(subprocess.pid);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const r = await subprocess;
      const stdout = typeof r.stdout === "string" ? r.stdout : "";
      const stderr = typeof r.stderr === "string" ? r.stderr : "";
      if (timedOut) return { stdout, stderr, timedOutAfterSeconds: timeoutSeconds };
      if (cancelled) return { stdout, stderr, cancelled: true };
      if (r.isMaxBuffer) return { stdout: "", stderr, outputOverBytes: MAX_OUTPUT_BYTES };
      if (r.failed && r.exitCode === undefined && r.signal === undefined) {
        const spawnError = [r.code, bodySnippet(r.originalMessage ?? r.shortMessage ?? "")].filter(Boolean).join(": ");
        return { stdout, stderr, spawnError: spawnError || "unknown error" };
      }
      return {
        stdout,
        stderr,
        ...(r.exitCode === undefined ? {} : { exitCode: r.exitCode }),
        ...(r.signal === undefined ? {} : { signal: r.signal }),
      };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      // A check must not leave background children behind; they share its process group.
      killGroup(subprocess.pid);
    }
  }
}
