import type { RolloutCommand } from "../engine/types.js";
import { ValidationError } from "../model/errors.js";
import type { AnalysisRun, Rollout, WorkloadTemplate } from "../model/index.js";
import { parseResource } from "../model/load.js";
import type {
  ApplyResult,
  ChangeNotice,
  ChangeOptions,
  ControlPlane,
  EventRecord,
  PipelineRequest,
  RecordedEntry,
  Resource,
  ResourceKind,
} from "../ports/control-plane.js";
import { NotFoundError, REQUEST_ENTRY_TYPE } from "../ports/control-plane.js";
import { createApi } from "./app.js";

/**
 * An in-memory ControlPlane for API tests: validates with the real model, keeps resources in a map,
 * records every call that changes something, and lets a test push changes to watchers.
 */
export class FakeControlPlane implements ControlPlane {
  readonly resources = new Map<string, Resource>();
  readonly commands: { rollout: string; command: RolloutCommand }[] = [];
  readonly eventLog: EventRecord[] = [];
  /** Count of calls that could change state (apply without dry run, delete, command). */
  mutations = 0;
  /** The actor's name of each call that could change state, in order ("-" for none). */
  readonly actors: string[] = [];
  /** When set, the next command throws it (to test error mapping). */
  failNextCommand: Error | undefined;
  private readonly listeners = new Set<(change: ChangeNotice) => void>();

  async apply(
    resources: unknown[],
    opts: { dryRun?: boolean; source?: string } & ChangeOptions = {},
  ): Promise<ApplyResult[]> {
    const errors: ValidationError["errors"] = [];
    const parsed: Resource[] = [];
    for (const doc of resources) {
      try {
        parsed.push(parseResource(doc, opts.source));
      } catch (err) {
        if (err instanceof ValidationError) errors.push(...err.errors);
        else throw err;
      }
    }
    if (errors.length > 0) throw new ValidationError(errors);
    if (!opts.dryRun) this.mutated(opts);
    return parsed.map((r) => {
      const key = `${r.kind}/${r.metadata.name}`;
      const outcome = this.resources.has(key) ? "configured" : "created";
      if (!opts.dryRun) this.resources.set(key, r);
      return { kind: r.kind, name: r.metadata.name, outcome };
    });
  }

  /** Pipeline requests as received, with the actor's name; each is recorded as granted. */
  readonly record: RecordedEntry[] = [];

  async pipelineRequest(
    pipeline: string,
    request: PipelineRequest,
    opts: Required<ChangeOptions>,
  ): Promise<RecordedEntry> {
    this.mutated(opts);
    const type = REQUEST_ENTRY_TYPE[request.type];
    const entry: RecordedEntry = {
      seq: this.record.length,
      time: new Date(0).toISOString(),
      pipeline,
      release: request.release,
      ...("stage" in request ? { stage: request.stage } : {}),
      type,
      actor: opts.actor.name,
      actorRoles: [opts.actor.role],
      reason: request.reason,
    };
    this.record.push(entry);
    return entry;
  }

  pipelineRecord(pipeline: string): RecordedEntry[] {
    return this.record.filter((e) => e.pipeline === pipeline);
  }

  get(kind: ResourceKind, name: string): Resource | undefined {
    return this.resources.get(`${kind}/${name}`);
  }

  list(kind: ResourceKind): Resource[] {
    return [...this.resources.values()].filter((r) => r.kind === kind);
  }

  async delete(kind: ResourceKind, name: string, opts: ChangeOptions = {}): Promise<boolean> {
    this.mutated(opts);
    const deleted = this.resources.delete(`${kind}/${name}`);
    if (deleted) this.emit({ type: "deleted", kind, name });
    return deleted;
  }

  async command(rollout: string, command: RolloutCommand, opts: ChangeOptions = {}): Promise<Rollout> {
    this.mutated(opts);
    const failure = this.failNextCommand;
    this.failNextCommand = undefined;
    if (failure) throw failure;
    const found = this.get("Rollout", rollout) as Rollout | undefined;
    if (!found) throw new NotFoundError("Rollout", rollout);
    this.commands.push({ rollout, command });
    return found;
  }

  /** Revision templates by rollout and hash, for tests to fill in. */
  readonly templates = new Map<string, Record<string, WorkloadTemplate>>();

  async revisionTemplates(rollout: string): Promise<Record<string, WorkloadTemplate>> {
    if (!this.get("Rollout", rollout)) throw new NotFoundError("Rollout", rollout);
    return this.templates.get(rollout) ?? {};
  }

  async terminateAnalysisRun(name: string, opts: ChangeOptions = {}): Promise<AnalysisRun> {
    this.mutated(opts);
    const run = this.get("AnalysisRun", name) as AnalysisRun | undefined;
    if (!run) throw new NotFoundError("AnalysisRun", name);
    const stopped = { ...run, spec: { ...run.spec, terminate: true } };
    this.resources.set(`AnalysisRun/${name}`, stopped);
    return stopped;
  }

  events(filter: { kind?: ResourceKind; name?: string; sinceId?: number; limit?: number } = {}): EventRecord[] {
    const matching = this.eventLog.filter(
      (e) =>
        (filter.kind === undefined || e.kind === filter.kind) &&
        (filter.name === undefined || e.name === filter.name) &&
        (filter.sinceId === undefined || e.id > filter.sinceId),
    );
    return filter.limit === undefined ? matching : matching.slice(-filter.limit);
  }

  subscribe(listener: (change: ChangeNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many watchers are subscribed right now. */
  get watchers(): number {
    return this.listeners.size;
  }

  private mutated(opts: ChangeOptions): void {
    this.mutations++;
    this.actors.push(opts.actor?.name ?? "-");
  }

  /** Sends a change to every watcher. */
  emit(change: ChangeNotice): void {
    for (const l of this.listeners) l(change);
  }
}

/** A valid Rollout manifest for tests. */
export function rolloutManifest(name: string, weight = 20): Record<string, unknown> {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: {
      replicas: 2,
      template: { process: { command: "node", args: ["app.js"] } },
      strategy: { canary: { steps: [{ setWeight: weight }, { pause: {} }] } },
    },
  };
}

/** The admin token {@link jsonPoster} signs in with. */
export const TEST_TOKEN = "a".repeat(64);

/**
 * An API over a fresh {@link FakeControlPlane} and a POST that sends JSON as the admin token, for
 * route tests.
 *
 * @example const { control, post } = jsonPoster(); await post("/api/v1/rollouts/web/pause", {});
 */
export function jsonPoster() {
  const control = new FakeControlPlane();
  const app = createApi({ control, token: TEST_TOKEN, version: "1.2.3" });
  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  return { control, post };
}
