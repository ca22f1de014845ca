const WORDS = ["never", "once", "twice", "three times", "four times", "five times", "six times", "seven times"];

/** "once", "twice", "three times" … "12 times". */
export function times(n: number): string {
  return WORDS[n] ?? `${n} times`;
}

/** How a replica's process ended, as a verb phrase: "exited with code 1", "was killed by SIGKILL". */
export function describeExit(code: number | null | undefined, signal: string | null | undefined): string {
  if (signal) return `was killed by ${signal}`;
  if (code !== null && code !== undefined) return `exited with code ${code}`;
  return "exited";
}

/** Seconds for messages: whole seconds, at least 1, so "in 0 s" never appears. */
export function seconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}

/** `replica 2 exited with code 1 three times in 40 s; last log line: …` */
export function crashLoopMessage(m: {
  index: number;
  exit: string;
  count: number;
  spanMs: number;
  lastLine?: string;
}): string {
  return `replica ${m.index} ${m.exit} ${times(m.count)} in ${seconds(m.spanMs)} s; ${logTail(m.lastLine)}`;
}

/** `replica 0 is not ready after 60 s (readiness probe: GET /ready: 503); last log line: …` */
export function neverReadyMessage(m: { index: number; waitedMs: number; reason?: string; lastLine?: string }): string {
  const why = m.reason ? ` (${m.reason})` : "";
  return `replica ${m.index} is not ready after ${seconds(m.waitedMs)} s${why}; ${logTail(m.lastLine)}`;
}

function logTail(line: string | undefined): string {
  return line === undefined ? "its log is empty" : `last log line: ${line}`;
}
