import type { Action, Observation, RevisionObservation, TrafficSpec } from "../../engine/types.js";
import type { ProcessTemplate, Rollout, WorkloadTemplate } from "../../model/index.js";
import { type Platform, PlatformError } from "../port.js";
import { localReplicaProblems } from "./replica-limit.js";
import { RouteRefusals } from "./route-refusals.js";
import { buildRoutes } from "./route-table.js";
import type { RouteRefusal, RouterBackend, RouterConfig } from "./router/config.js";
import { RouteRefusedError } from "./router/errors.js";

/** The parts of the supervisor the platform drives. */
export interface ReplicaSupervisor {
  ensure(rollout: string, revision: string, template: ProcessTemplate, replicas: number, restartAt?: string): void;
  remove(rollout: string, revision: string): Promise<void>;
  observe(rollout: string): RevisionObservation[];
  endpoints(rollout: string): RouterBackend[];
}

/** Where the platform keeps each revision's template, so scaling and undo can find it again. */
export interface TemplateBook {
  get(rollout: string, hash: string): WorkloadTemplate | undefined;
  put(rollout: string, hash: string, template: WorkloadTemplate): void;
}

export interface LocalPlatformOptions {
  supervisor: ReplicaSupervisor;
  /** The router's admin client. Its answer lists the rollouts whose route it refused (the rest are live). */
  router: { putConfig(config: RouterConfig): Promise<{ refused?: RouteRefusal[] }> };
  templates: TemplateBook;
  /** The router's current config, so a restarted controller continues from what is being served. */
  current?: RouterConfig;
  /** Gives a blue-green rollout its preview listener (`127.0.0.1:PORT`), the same one every time. */
  previewListen?: (rollout: string) => Promise<string>;
  onError?: (err: unknown) => void;
  /**
   * Called when the router starts, changes or stops refusing a rollout's route, so the controller
   * reconciles that rollout again and its status says so.
   */
  onRefusalChange?: (rollout: string) => void;
}

/**
 * The embedded platform: replicas are child processes run by the supervisor, and traffic goes
 * through the router process, which is sent the whole route table whenever anything changes.
 */
export class LocalPlatform implements Platform {
  private readonly traffic = new Map<string, TrafficSpec>();
  private readonly previews = new Map<string, string>();
  private generation: number;
  private syncing: Promise<void> = Promise.resolve();
  private dirty = false;
  private readonly refusals: RouteRefusals;

  constructor(private readonly opts: LocalPlatformOptions) {
    this.generation = opts.current?.generation ?? 0;
    this.refusals = new RouteRefusals(opts.current);
    for (const route of opts.current?.rollouts ?? []) {
      this.traffic.set(route.rollout, route.traffic);
      if (route.previewListen) this.previews.set(route.rollout, route.previewListen);
    }
  }

  async observe(rollout: Rollout): Promise<Observation> {
    const name = rollout.metadata.name;
    const refused = this.refusals.trafficError(name);
    return {
      revisions: this.opts.supervisor.observe(name),
      // The engine pauses the rollout and marks it Degraded until the router takes its route.
      ...(refused ? { trafficError: { message: refused, refused: true } } : {}),
    };
  }

  async apply(rollout: Rollout, actions: Action[]): Promise<void> {
    const name = rollout.metadata.name;
    for (const action of actions) {
      switch (action.type) {
        case "ensureRevision": {
          this.opts.templates.put(name, action.hash, action.template);
          this.opts.supervisor.ensure(
            name,
            action.hash,
            processOf(action.template, action),
            action.replicas,
            action.restartAt,
          );
          break;
        }
        case "scaleRevision": {
          const template = this.templateFor(name, action);
          this.opts.supervisor.ensure(
            name,
            action.hash,
            processOf(template, action),
            action.replicas,
            action.restartAt,
          );
          break;
        }
        case "deleteRevision":
          // Draining can take the grace period; the reconcile loop must not wait on it.
          this.opts.supervisor.remove(name, action.hash).catch((err) => this.opts.onError?.(err));
          break;
        case "setTraffic":
          if (action.traffic.preview && !this.previews.has(name) && this.opts.previewListen)
            this.previews.set(name, await this.opts.previewListen(name));
          this.traffic.set(name, action.traffic);
          break;
        default:
          break; // analysis runs are the controller's business
      }
    }
    await this.sync();
  }

  /**
   * The template a scaled revision runs. A baseline copies the stable revision's template; it is
   * stored under the baseline's own key too, so a restarted controller re-adopts its replicas.
   */
  private templateFor(name: string, action: Extract<Action, { type: "scaleRevision" }>): WorkloadTemplate {
    const own = this.opts.templates.get(name, action.hash);
    if (own) return own;
    const copied = action.copyOf === undefined ? undefined : this.opts.templates.get(name, action.copyOf);
    if (!copied) {
      const from = action.copyOf === undefined ? "" : ` (a copy of revision ${action.copyOf})`;
      throw new PlatformError(`revision ${action.hash}${from} of rollout "${name}" has no stored template`, action);
    }
    this.opts.templates.put(name, action.hash, copied);
    return copied;
  }

  admit(rollout: Rollout): { path: string; message: string }[] {
    if (rollout.spec.template.process) return localReplicaProblems(rollout);
    return [{ path: "spec.template", message: LOCAL_NEEDS_PROCESS }];
  }

  async remove(rollout: Rollout): Promise<void> {
    const name = rollout.metadata.name;
    this.traffic.delete(name);
    this.previews.delete(name);
    this.refusals.forget(name);
    await this.sync();
    const revisions = this.opts.supervisor.observe(name).map((r) => r.hash);
    await Promise.all(revisions.map((hash) => this.opts.supervisor.remove(name, hash)));
  }

  /**
   * Sends the router the full route table. Calls made while one is in flight coalesce into one
   * more send, so the router always ends with the newest state.
   */
  sync(): Promise<void> {
    this.dirty = true;
    this.syncing = this.syncing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const config = this.routerConfig();
      let answer: { refused?: RouteRefusal[] };
      try {
        answer = await this.opts.router.putConfig(config);
      } catch (err) {
        this.opts.onError?.(err);
        throw err;
      }
      // A refusal is the rollout's problem, not this send's: it is reported on that rollout (and
      // logged once per change), while every other rollout's route is live.
      const { changed, fresh } = this.refusals.record(config, answer.refused ?? []);
      for (const refusal of fresh) this.opts.onError?.(new RouteRefusedError(refusal));
      for (const rollout of changed) this.opts.onRefusalChange?.(rollout);
    });
    const result = this.syncing;
    this.syncing = this.syncing.catch(() => {});
    return result;
  }

  /** The route table as it would be sent now. */
  routerConfig(): RouterConfig {
    this.generation += 1;
    const inputs = [...this.traffic.entries()].map(([rollout, traffic]) => {
      const previewListen = traffic.preview ? this.previews.get(rollout) : undefined;
      return {
        rollout,
        traffic,
        backends: this.opts.supervisor.endpoints(rollout),
        ...(previewListen ? { previewListen } : {}),
      };
    });
    return { generation: this.generation, rollouts: buildRoutes(inputs) };
  }
}

const LOCAL_NEEDS_PROCESS =
  "the local platform runs replicas from template.process, and this rollout has a Kubernetes pod template (template.spec); give it a template.process, or apply it to a Kubernetes cluster";

function processOf(template: WorkloadTemplate, action: Action): ProcessTemplate {
  if (!template.process) throw new PlatformError(LOCAL_NEEDS_PROCESS, action);
  return template.process;
}
