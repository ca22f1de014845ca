import type { HookAnswer } from "../engine/gates.js";
import type { Action, RolloutEvent } from "../engine/types.js";
import type { Rollout, RolloutHook } from "../model/index.js";
import { callHook, type HookCallDeps, type HookCallResult } from "./call.js";
import { hookPayload } from "./payload.js";

type RunHook = Extract<Action, { type: "runHook" }>;

/** The reason of the event recorded when an informational hook fails; never itself sent to `event` hooks. */
export const INFORM_HOOK_FAILED = "InformHookFailed";

/** Events after which `post-rollout` hooks are called: the rollout ended, promoted or rolled back. */
const ENDINGS = new Set(["RolloutCompleted", "RolloutAborted"]);

export interface HookRunnerOptions extends HookCallDeps {
  /** A try ended: reconcile the rollout, whose next observation carries the answer. */
  answered: (rollout: string) => void;
  /** An informational hook failed: record this event on the rollout. */
  informFailed: (rollout: string, event: RolloutEvent) => void;
  now?: () => Date;
}

/**
 * Carries out the engine's `runHook` actions and calls informational hooks. Answers are kept in
 * memory only: status holds which try is pending, and a restarted controller asks that try again,
 * so losing an answer costs one more call, never a decision.
 */
export class HookRunner {
  private readonly answers = new Map<string, Record<string, HookAnswer>>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly now: () => Date;

  constructor(private readonly opts: HookRunnerOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /** The latest answer per gate key of a rollout, for its observation. */
  answersFor(rollout: string): Record<string, HookAnswer> {
    return { ...(this.answers.get(rollout) ?? {}) };
  }

  /** Starts the try unless it is running or already answered; returns at once. */
  run(rollout: Rollout, action: RunHook): void {
    const name = rollout.metadata.name;
    const id = `${name}\u0000${action.key}\u0000${action.revision}\u0000${action.attempt}`;
    const known = this.answers.get(name)?.[action.key];
    if (this.inFlight.has(id) || (known?.revision === action.revision && known.attempt === action.attempt)) return;
    const hook = rollout.spec.hooks?.find((h) => h.name === action.hook);
    const done = (result: Pick<HookCallResult, "ok" | "message">) => {
      const answers = this.answers.get(name) ?? {};
      answers[action.key] = {
        revision: action.revision,
        attempt: action.attempt,
        ok: result.ok,
        message: result.message,
        at: this.now().toISOString(),
      };
      this.answers.set(name, answers);
      this.inFlight.delete(id);
      if (!this.stopping.signal.aborted) this.opts.answered(name);
    };
    if (!hook) {
      done({ ok: false, message: `hook "${action.hook}" is no longer in the spec` });
      return;
    }
    const payload = hookPayload(rollout, hook, action);
    const call = callHook(hook, payload, this.opts, this.stopping.signal).then(done, (err) =>
      done({ ok: false, message: `failed unexpectedly: ${String(err).split("\n")[0]}` }),
    );
    this.inFlight.set(id, call);
  }

  /**
   * Calls `event` hooks for each event and `post-rollout` hooks after a rollout ends. Their
   * failures are recorded as events, never acted on.
   */
  inform(rollout: Rollout, events: readonly RolloutEvent[]): void {
    const hooks = rollout.spec.hooks ?? [];
    if (hooks.length === 0) return;
    const canary = rollout.status?.revisions.find((r) => r.role === "canary" || r.role === "preview");
    const at = {
      revision: canary?.hash ?? rollout.status?.currentRevision ?? "",
      weight: canary?.weight ?? 0,
    };
    for (const event of events) {
      if (event.reason === INFORM_HOOK_FAILED) continue;
      for (const hook of hooks) {
        if (hook.type === "event")
          this.informOne(
            rollout,
            hook,
            hookPayload(rollout, hook, at, { reason: event.reason, message: event.message, type: event.type }),
          );
        else if (hook.type === "post-rollout" && ENDINGS.has(event.reason))
          this.informOne(rollout, hook, hookPayload(rollout, hook, at));
      }
    }
  }

  private informOne(rollout: Rollout, hook: RolloutHook, payload: ReturnType<typeof hookPayload>): void {
    const name = rollout.metadata.name;
    const id = `${name}\u0000inform\u0000${hook.name}\u0000${Math.random()}`;
    const call = callHook(hook, payload, this.opts, this.stopping.signal).then((result) => {
      this.inFlight.delete(id);
      if (!result.ok && !this.stopping.signal.aborted)
        this.opts.informFailed(name, {
          type: "Warning",
          reason: INFORM_HOOK_FAILED,
          message: `${hook.type} hook "${hook.name}" failed: ${result.message}`,
        });
    });
    this.inFlight.set(id, call);
  }

  /** Drops a deleted rollout's answers. */
  forget(rollout: string): void {
    this.answers.delete(rollout);
  }

  /** Resolves once no call is running (tests). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }

  /** Cancels calls in flight; nothing is answered after this. */
  stop(): void {
    this.stopping.abort();
  }
}
