import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** One look at a process in /proc. */
export interface ProcSample {
  rssKb: number;
  hwmKb: number;
  cpuSeconds: number;
}

/** RSS, peak RSS (VmHWM) and CPU time of a process; undefined once it has exited. */
export function readProc(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm)": state is field 3, utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    return { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM"), cpuSeconds };
  } catch {
    return undefined; // exited
  }
}

/** Samples every watched process once a second; keeps the last sample and the largest RSS seen. */
export class ProcSampler {
  readonly last = new Map<string, ProcSample>();
  readonly peakKb = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  constructor(readonly pids: Map<string, number>) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 1_000);
  }
  sample(): void {
    for (const [name, pid] of this.pids) {
      const s = readProc(pid);
      if (!s) continue;
      this.last.set(name, s);
      this.peakKb.set(name, Math.max(this.peakKb.get(name) ?? 0, s.rssKb, s.hwmKb));
    }
  }
  cpu(): Map<string, number> {
    this.sample();
    return new Map([...this.last].map(([n, s]) => [n, s.cpuSeconds]));
  }
  stop(): void {
    clearInterval(this.timer);
  }
}
