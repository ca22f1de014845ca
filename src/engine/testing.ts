import { isDeepStrictEqual } from "node:util";
import { Rollout, type WorkloadTemplate } from "../model/index.js";
import { applyCommand } from "./commands.js";
import type { HookAnswer } from "./gates.js";
import { revisionHash } from "./hash.js";
import { reconcile } from "./reconcile.js";
import type {
  Action,
  AnalysisObservation,
  AnalysisRunRole,
  Observation,
  ReconcileResult,
  RevisionObservation,
  RolloutCommand,
  RolloutEvent,
  TrafficSpec,
} from "./types.js";

type StartRun = Extract<Action, { type: "startAnalysisRun" }>;
type Verdict = AnalysisObservation[string];

/**
 * Drives the engine in tests the way the controller does, against a fake platform that applies
 * actions at once: ensured replicas are ready straight away (unless capped), analysis runs the
 * engine starts are Running until a test gives them a verdict, and time moves only when told.
 */
export class EngineHarness {
  rollout: Rollout;
  now: Date;
  /** Replicas and ready replicas per revision hash, as the fake platform runs them. */
  readonly platform = new Map<string, { replicas: number; ready: number }>();
  /** At most this many replicas of a revision become ready. */
  readonly readyCap: Record<string, number> = {};
  /** Crash loops and never-ready reports per revision hash. */
  readonly failures: Record<string, Pick<RevisionObservation, "crashLooping" | "neverReady">> = {};
  readonly analysis: AnalysisObservation = {};
  /** What the fake platform's traffic router reports as failing; undefined = it works. */
  trafficError: string | undefined;
  /** Whether that failure is the router refusing the route as specified (not a passing fault). */
  trafficRefused = false;
  /** Whether the fake platform splits traffic by ready replicas (Kubernetes with no router). */
  replicaRatioTraffic = false;
  /** Verdicts given to runs of a role as soon as they start. */
  readonly autoVerdict: Partial<Record<AnalysisRunRole, Verdict>> = {};
  readonly runs: StartRun[] = [];
  readonly stopped: string[] = [];
  readonly deleted: string[] = [];
  readonly templates: Record<string, WorkloadTemplate> = {};
  readonly events: (RolloutEvent & { at: string })[] = [];
  traffic: TrafficSpec | undefined;
  /** Hook tries the engine asked for, once each (key and attempt), in order. */
  readonly hookRuns: Extract<Action, { type: "runHook" }>[] = [];
  /** The fake hook runner's answers by gate key, as the controller passes them in the observation. */
  readonly hookAnswers: Record<string, HookAnswer> = {};
  last: ReconcileResult | undefined;
  reconciles = 0;

  constructor(manifest: unknown, now = new Date("2025-01-01T00:00:00Z")) {
    this.rollout = Rollout.parse(manifest);
    this.now = now;
  }

  get status() {
    const status = this.rollout.status;
    if (!status) throw new Error("not reconciled yet");
    return status;
  }

  observation(): Observation {
    return {
      revisions: [...this.platform.entries()].map(([hash, r]) => ({ hash, ...r, ...this.failures[hash] })),
      ...(this.trafficError
        ? { trafficError: { message: this.trafficError, ...(this.trafficRefused ? { refused: true } : {}) } }
        : {}),
      ...(this.replicaRatioTraffic ? { replicaRatioTraffic: true } : {}),
      ...(Object.keys(this.hookAnswers).length > 0 ? { hookAnswers: { ...this.hookAnswers } } : {}),
    };
  }

  /** One reconcile, without applying its actions. */
  reconcileOnce(): ReconcileResult {
    this.reconciles += 1;
    return reconcile(this.rollout, this.observation(), this.analysis, this.now);
  }

  /** One reconcile; stores its status and events and applies its actions. */
  step(): ReconcileResult {
    const result = this.reconcileOnce();
    this.rollout = { ...this.rollout, status: result.status };
    for (const e of result.events) this.events.push({ ...e, at: this.now.toISOString() });
    this.apply(result.actions);
    this.last = result;
    return result;
  }

  apply(actions: Action[]): void {
    for (const a of actions) {
      switch (a.type) {
        case "ensureRevision":
          this.templates[a.hash] = a.template;
          this.scale(a.hash, a.replicas);
          break;
        case "scaleRevision":
          this.scale(a.hash, a.replicas);
          break;
        case "deleteRevision":
          if (this.platform.delete(a.hash)) this.deleted.push(a.hash);
          break;
        case "setTraffic":
          this.traffic = a.traffic;
          break;
        case "startAnalysisRun":
          if (!this.analysis[a.name]) {
            this.runs.push(a);
            this.analysis[a.name] = this.autoVerdict[a.role] ?? { phase: "Running" };
          }
          break;
        case "stopAnalysisRun":
          this.stopped.push(a.name);
          break;
        case "runHook":
          if (!this.hookRuns.some((r) => r.key === a.key && r.attempt === a.attempt && r.revision === a.revision))
            this.hookRuns.push(a);
          break;
      }
    }
  }

  private scale(hash: string, replicas: number): void {
    const cap = this.readyCap[hash] ?? Number.POSITIVE_INFINITY;
    this.platform.set(hash, { replicas, ready: Math.min(replicas, cap) });
  }

  /** Caps (or, with undefined, uncaps) the ready replicas of a revision, as if probes changed, and settles. */
  setReadyCap(hash: string, cap: number | undefined): void {
    if (cap === undefined) delete this.readyCap[hash];
    else this.readyCap[hash] = cap;
    const running = this.platform.get(hash);
    if (running) this.scale(hash, running.replicas);
    this.settle();
  }

  /** Reconciles until a reconcile changes nothing; returns the last result. */
  settle(maxReconciles = 100): ReconcileResult {
    for (let i = 0; i < maxReconciles; i++) {
      const before = this.rollout.status;
      const result = this.step();
      if (isDeepStrictEqual(before, result.status) && result.events.length === 0) return result;
    }
    throw new Error(`no steady state after ${maxReconciles} reconciles: ${this.status.message}`);
  }

  /** Moves the clock to the engine's wake-up time and settles; false when it asked for none. */
  wake(): boolean {
    const at = this.last?.wakeAt;
    if (!at) return false;
    this.now = at;
    this.settle();
    return true;
  }

  /** Moves the clock forward and settles. */
  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
    this.settle();
  }

  command(command: RolloutCommand): void {
    this.rollout = applyCommand(this.rollout, command, this.now, this.templates);
    this.settle();
  }

  /** Changes the spec (a new template is a new revision) and settles. */
  update(change: (spec: Rollout["spec"]) => void): void {
    const next = structuredClone(this.rollout);
    change(next.spec);
    this.rollout = Rollout.parse(next);
    this.settle();
  }

  /** The revision hash the template would have with {@link setVersion}(version). */
  versionHash(version: string): string {
    const spec = structuredClone(this.rollout.spec);
    setVersion(spec, version);
    return revisionHash(spec.template);
  }

  /** The newest run the engine started for a role. */
  run(role: AnalysisRunRole): string {
    const run = this.runs.filter((r) => r.role === role).at(-1);
    if (!run) throw new Error(`no ${role} analysis run started`);
    return run.name;
  }

  /** Gives the newest run of a role its verdict and settles. */
  verdict(role: AnalysisRunRole, phase: Verdict["phase"], message?: string): void {
    this.analysis[this.run(role)] = message === undefined ? { phase } : { phase, message };
    this.settle();
  }

  /** The hash of revision number n. */
  hash(n: number): string {
    const entry = this.status.history.find((h) => h.number === n);
    if (!entry) throw new Error(`no revision ${n}`);
    return entry.hash;
  }

  /** Traffic weight of revision number n (0 when it has none). */
  weight(n: number): number {
    return this.traffic?.weights[this.hash(n)] ?? 0;
  }

  /** Replicas the fake platform runs for revision number n. */
  replicas(n: number): number {
    return this.platform.get(this.hash(n))?.replicas ?? 0;
  }

  /** Answers the newest try of the hook at `key` and settles. */
  answerHook(key: string, ok: boolean, message = ok ? "HTTP 200" : "answered HTTP 500"): void {
    const run = this.hookRuns.filter((r) => r.key === key).at(-1);
    if (!run) throw new Error(`no try of hook ${key} asked for`);
    this.hookAnswers[key] = { revision: run.revision, attempt: run.attempt, ok, message, at: this.now.toISOString() };
    this.settle();
  }

  /** The gate entry of status with this key. */
  gate(key: string) {
    return this.status.gates?.find((g) => g.key === key);
  }

  reasons(): string[] {
    return this.events.map((e) => e.reason);
  }
}

/** A minimal valid rollout manifest; `spec` is merged over a local process template. */
export function rolloutManifest(spec: Record<string, unknown>, name = "web"): unknown {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: { replicas: 4, template: { process: { command: "node", args: ["app.js", "v1"] } }, ...spec },
  };
}

/** Sets the template's version argument: the usual way tests create a new revision. */
export function setVersion(spec: Rollout["spec"], version: string): void {
  const process = spec.template.process;
  if (!process) throw new Error("test rollouts use a process template");
  process.args = ["app.js", version];
}
