import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ProcessTemplate } from "../../src/model/workload.js";
import { isSameProcess, signalGroup } from "../../src/platform/local/supervisor/process-group.js";
import { MemoryReplicaRegistry, type ReplicaRecord } from "../../src/platform/local/supervisor/registry.js";
import { Supervisor, type SupervisorOptions } from "../../src/platform/local/supervisor/supervisor.js";
import { waitFor } from "../helpers/wait.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEMO_SERVER = path.join(ROOT, "demo/app/server.ts");

/** A registry that also remembers every process ever recorded, so cleanup can kill them all. */
export class TrackingRegistry extends MemoryReplicaRegistry {
  readonly seen: ReplicaRecord[] = [];
  override save(r: ReplicaRecord): void {
    this.seen.push({ ...r });
    super.save(r);
  }
}

/** The demo app as a replica template, with a fast readiness probe on /ready. */
export function demoTemplate(env: Record<string, string> = {}, extra: Record<string, unknown> = {}): ProcessTemplate {
  return ProcessTemplate.parse({
    command: process.execPath,
    args: ["--import", "tsx", DEMO_SERVER],
    cwd: ROOT,
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
    readinessProbe: { httpGet: { path: "/ready" }, periodSeconds: 0.5, failureThreshold: 2 },
    terminationGracePeriodSeconds: 5,
    ...extra,
  });
}

/** Temp state dirs, registries and supervisors of one test file, torn down by {@link cleanup}. */
export class Harness {
  readonly stateDir = mkdtempSync(path.join(tmpdir(), "sluice-supervisor-"));
  readonly registry = new TrackingRegistry();
  readonly supervisors: Supervisor[] = [];
  changes = 0;

  supervisor(opts: Partial<SupervisorOptions> = {}): Supervisor {
    const s = new Supervisor({
      stateDir: this.stateDir,
      registry: this.registry,
      onChange: () => {
        this.changes += 1;
      },
      ...opts,
    });
    this.supervisors.push(s);
    return s;
  }

  /** Detaches every supervisor and SIGKILLs every process group any of them started. */
  async cleanup(): Promise<void> {
    await Promise.allSettled(this.supervisors.map((s) => s.detach()));
    for (const r of this.registry.seen) signalGroup(r.pid, r.startTime, "SIGKILL");
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  /** Recorded processes that are still running. */
  alive(): ReplicaRecord[] {
    return this.registry.seen.filter((r) => isSameProcess(r.pid, r.startTime));
  }
}

/** GET over a fresh connection: status and JSON body. */
export function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** The pids behind a revision's endpoints, asked of the replicas themselves. */
export async function pidsOf(endpoints: string[]): Promise<number[]> {
  const pids = await Promise.all(endpoints.map(async (e) => (await getJson(`http://${e}/`)).body.pid as number));
  return pids.sort((a, b) => a - b);
}

/** Waits until the first revision of `rollout` has exactly `count` routable endpoints, and returns them. */
export function readyEndpoints(s: Supervisor, rollout: string, count: number, timeoutMs = 20_000): Promise<string[]> {
  return waitFor(
    () => {
      const eps = s.endpoints(rollout)[0]?.endpoints ?? [];
      return eps.length === count ? eps : undefined;
    },
    { timeoutMs, message: `${count} ready replica(s) of ${rollout}` },
  );
}
