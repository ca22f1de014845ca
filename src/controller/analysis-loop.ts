import { judgedAnalyses, sharedRunAlpha } from "../analysis/alpha-share.js";
import type { MetricProviderPort } from "../analysis/providers/provider.js";
import { buildAnalysisRun, RUN_LABELS, referencedSecrets } from "../analysis/run-builder.js";
import { measureDue, terminateRun } from "../analysis/runner.js";
import { runWakeAt } from "../analysis/schedule.js";
import type { Action } from "../engine/types.js";
import {
  type AnalysisRun,
  type AnalysisTemplate,
  API_VERSION,
  type ClusterAnalysisTemplate,
  type Rollout,
} from "../model/index.js";
import type { ControllerStore } from "../ports/controller-store.js";
import type { ControllerMetrics } from "./metrics.js";
import { WorkQueue } from "./work-queue.js";

type StartRun = Extract<Action, { type: "startAnalysisRun" }>;

export interface AnalysisLoopOptions {
  store: ControllerStore;
  providers: Partial<Record<MetricProviderPort["kind"], MetricProviderPort>>;
  now: () => Date;
  metrics?: ControllerMetrics;
  onRunChanged: (run: AnalysisRun) => void;
  onError?: (message: string, err: unknown) => void;
  readEnv?: (name: string) => string | undefined;
  readFile?: (path: string) => string;
  /** Reads a Secret's data by name (Kubernetes), for `valueFrom.secretKeyRef` arguments. */
  loadSecret?: (name: string) => Promise<Record<string, string> | undefined>;
}

const TERMINAL = new Set(["Successful", "Failed", "Error", "Inconclusive"]);
const RETRY_MS = 2_000;

/**
 * Takes the measurements of running analysis runs when they fall due, and stores each result
 * as it comes, so `describe` shows every value and a restart continues the schedule.
 */
export class AnalysisLoop {
  private readonly queue: WorkQueue;

  constructor(private readonly opts: AnalysisLoopOptions) {
    this.queue = new WorkQueue(
      (name) => this.step(name),
      (name, err) => {
        opts.onError?.(`analysis run "${name}" failed to measure; retrying`, err);
        this.queue.addAt(name, Date.now() + RETRY_MS);
      },
    );
  }

  start(): void {
    for (const run of this.runs()) if (!isFinished(run)) this.queue.add(run.metadata.name);
  }

  stop(): void {
    this.queue.stop();
  }

  /** Creates the run the engine asked for, unless it exists: the engine may ask again after a restart. */
  async startRun(action: StartRun, rollout: Rollout, labels: Record<string, string> = {}): Promise<void> {
    if (this.opts.store.getResource("AnalysisRun", action.name)) return;
    const built = this.build(action, rollout, await this.secretsFor(action));
    // A pipeline's gate run carries its pipeline's label, so its verdict wakes the pipeline.
    const run = { ...built, metadata: { ...built.metadata, labels: { ...built.metadata.labels, ...labels } } };
    const stored = (await this.opts.store.putResource(run)) as AnalysisRun;
    this.opts.onRunChanged(stored);
    if (!isFinished(stored)) this.queue.add(action.name);
  }

  /** Stops measuring a run that is being deleted. */
  forget(name: string): void {
    this.queue.forget(name);
  }

  /**
   * Marks a run for termination; its next step ends it with the verdict it has. False when there was
   * nothing to stop (no such run, or it has finished or is already stopping).
   */
  async stopRun(name: string): Promise<boolean> {
    const run = this.opts.store.getResource("AnalysisRun", name) as AnalysisRun | undefined;
    if (!run || isFinished(run) || run.spec.terminate) return false;
    await this.opts.store.putResource({ ...run, spec: { ...run.spec, terminate: true } });
    this.queue.add(name);
    return true;
  }

  /** Fetches the Secrets the run's templates read, before the (synchronous) build needs them. */
  private async secretsFor(action: StartRun): Promise<Record<string, Record<string, string>>> {
    const load = this.opts.loadSecret;
    if (!load) return {};
    const names = referencedSecrets(action.analysis.templates, this.templateLookup());
    const out: Record<string, Record<string, string>> = {};
    for (const name of names) {
      // A Secret that cannot be read is reported by the build as missing: an Error verdict, never a pass.
      const data = await load(name).catch((err: unknown) => {
        this.opts.onError?.(`analysis run "${action.name}" could not read Secret "${name}"`, err);
        return undefined;
      });
      if (data) out[name] = data;
    }
    return out;
  }

  private templateLookup() {
    const store = this.opts.store;
    return {
      template: (n: string) => store.getResource("AnalysisTemplate", n) as AnalysisTemplate | undefined,
      clusterTemplate: (n: string) =>
        store.getResource("ClusterAnalysisTemplate", n) as ClusterAnalysisTemplate | undefined,
    };
  }

  private build(action: StartRun, rollout: Rollout, secrets: Record<string, Record<string, string>>): AnalysisRun {
    const labels = {
      [RUN_LABELS.rollout]: rollout.metadata.name,
      [RUN_LABELS.revision]: action.canaryRevision,
      [RUN_LABELS.role]: action.role,
      ...(action.stableRevision ? { [RUN_LABELS.stableRevision]: action.stableRevision } : {}),
      ...(action.baselineRevision ? { [RUN_LABELS.baselineRevision]: action.baselineRevision } : {}),
    };
    try {
      const run = buildAnalysisRun(action, rollout.metadata.name, this.templateLookup(), {
        readEnv: this.opts.readEnv ?? ((n) => process.env[n]),
        readFile:
          this.opts.readFile ??
          ((p) => {
            throw new Error(`reading ${p} is not allowed here`);
          }),
        ...(this.opts.loadSecret ? { readSecret: (name: string, key: string) => secrets[name]?.[key] } : {}),
      });
      // One false-alarm budget per rollout: each of its judged analyses gets a share.
      const alpha = sharedRunAlpha(run.spec.alpha, judgedAnalyses(rollout.spec.strategy, this.templateLookup()));
      return alpha === undefined ? run : { ...run, spec: { ...run.spec, alpha } };
    } catch (err) {
      // A run that cannot be built is an Error verdict the engine acts on (abort), not a crash of the loop.
      const now = this.opts.now().toISOString();
      return {
        apiVersion: API_VERSION,
        kind: "AnalysisRun",
        metadata: { name: action.name, labels },
        spec: { metrics: [], args: [], dryRun: [], measurementRetention: [], terminate: false },
        status: {
          phase: "Error",
          message: err instanceof Error ? err.message : String(err),
          startedAt: now,
          finishedAt: now,
          metricResults: [],
        },
      };
    }
  }

  private async step(name: string): Promise<void> {
    const run = this.opts.store.getResource("AnalysisRun", name) as AnalysisRun | undefined;
    if (!run || isFinished(run)) return;
    const now = this.opts.now();
    let next = run.spec.terminate
      ? terminateRun(run, now)
      : await measureDue(run, this.opts.providers, contextOf(run), now);
    // `stopRun` may have marked the run while its measurements were in flight.
    const latest = this.opts.store.getResource("AnalysisRun", name) as AnalysisRun | undefined;
    if (!latest) return;
    if (latest.spec.terminate && !next.spec.terminate) next = terminateRun({ ...next, spec: latest.spec }, now);
    const stored = (await this.opts.store.putResource(next)) as AnalysisRun;
    this.opts.metrics?.observeRun(stored, run);
    this.opts.onRunChanged(stored);
    const wake = isFinished(stored) ? undefined : runWakeAt(stored);
    if (wake) this.queue.addAt(name, wake.getTime());
  }

  private runs(): AnalysisRun[] {
    return this.opts.store.listResources("AnalysisRun") as AnalysisRun[];
  }
}

function isFinished(run: AnalysisRun): boolean {
  return TERMINAL.has(run.status?.phase ?? "Pending");
}

function contextOf(run: AnalysisRun) {
  const labels = run.metadata.labels ?? {};
  const stableRevision = labels[RUN_LABELS.stableRevision];
  const baselineRevision = labels[RUN_LABELS.baselineRevision];
  return {
    args: Object.fromEntries(run.spec.args.map((a) => [a.name, a.value])),
    rollout: labels[RUN_LABELS.rollout] ?? "",
    canaryRevision: labels[RUN_LABELS.revision] ?? "",
    ...(stableRevision ? { stableRevision } : {}),
    ...(baselineRevision ? { baselineRevision } : {}),
    analysisRun: { name: run.metadata.name, ...(run.metadata.uid ? { uid: run.metadata.uid } : {}) },
  };
}
