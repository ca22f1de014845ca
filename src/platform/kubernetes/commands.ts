import { isDeepStrictEqual } from "node:util";
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
} from "@kubernetes/client-node";
import { isTerminal } from "../../analysis/verdict.js";
import { commandLabel } from "../../engine/command-label.js";
import { applyCommand } from "../../engine/commands.js";
import type { RolloutCommand } from "../../engine/types.js";
import type { AnalysisRun, Rollout, WorkloadTemplate } from "../../model/index.js";
import { NotFoundError } from "../../ports/control-plane.js";
import { apiErrorCode, apiErrorMessage } from "./api-errors.js";
import { whoAmI } from "./cluster-pipelines.js";
import { SLUICE_GROUP, SLUICE_VERSION } from "./crds.js";
import { kubeEvent } from "./events.js";
import { toApiStatus, toResource } from "./objects.js";

/** A user command on a rollout in a cluster could not be carried out. */
export class KubeCommandError extends Error {
  override readonly name = "KubeCommandError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface KubeCommandOptions {
  kc: KubeConfig;
  namespace: string;
  /** The templates of the rollout's revisions (undo needs them); read from its ReplicaSets. */
  templates?: (rollout: Rollout) => Promise<Record<string, WorkloadTemplate>>;
  now?: () => Date;
  fieldManager?: string;
}

const json = setHeaderOptions("Content-Type", PatchStrategy.JsonPatch);
const ATTEMPTS = 5;

/**
 * Carries out `sluice promote|abort|pause|...` on a Rollout in a cluster: the same change the local
 * controller makes, written to spec and status with a resourceVersion check, so a command never
 * overwrites a status the controller wrote meanwhile (it re-reads and tries again instead).
 *
 * @example await commandRollout({ kc, namespace: "shop" }, "web", { type: "promote" })
 */
export async function commandRollout(
  opts: KubeCommandOptions,
  name: string,
  command: RolloutCommand,
): Promise<Rollout> {
  const custom = opts.kc.makeApiClient(CustomObjectsApi);
  const ref = { group: SLUICE_GROUP, version: SLUICE_VERSION, namespace: opts.namespace, plural: "rollouts", name };
  const fieldManager = opts.fieldManager ?? "sluice-cli";
  for (let attempt = 1; ; attempt++) {
    let obj: KubernetesObject;
    try {
      obj = (await custom.getNamespacedCustomObject(ref)) as KubernetesObject;
    } catch (err) {
      if (apiErrorCode(err) === 404) throw new NotFoundError("Rollout", name);
      throw new KubeCommandError(`could not read Rollout ${opts.namespace}/${name}: ${apiErrorMessage(err)}`, {
        cause: err,
      });
    }
    const rollout = toResource("Rollout", obj) as Rollout;
    const templates = command.type === "undo" && opts.templates ? await opts.templates(rollout) : {};
    const changed = applyCommand(rollout, command, opts.now?.() ?? new Date(), templates);
    try {
      let rv = rollout.metadata.resourceVersion ?? "";
      if (!isDeepStrictEqual(changed.spec, rollout.spec)) {
        const written = (await custom.patchNamespacedCustomObject(
          { ...ref, fieldManager, body: guarded(rv, "/spec", changed.spec) },
          json,
        )) as KubernetesObject;
        rv = written.metadata?.resourceVersion ?? rv;
      }
      if (!isDeepStrictEqual(changed.status, rollout.status)) {
        const status = toApiStatus("Rollout", changed, changed.status);
        await custom.patchNamespacedCustomObjectStatus(
          { ...ref, fieldManager, body: guarded(rv, "/status", status) },
          json,
        );
      }
      // The request is part of the rollout's record: `describe` shows who moved it, and when.
      await recordCommand(opts, rollout, command, fieldManager).catch(() => undefined);
      return changed;
    } catch (err) {
      // The controller wrote in between (a failed `test`): read again and redo the command on that.
      const code = apiErrorCode(err);
      if ((code === 409 || code === 422) && attempt < ATTEMPTS) continue;
      throw new KubeCommandError(`could not update Rollout ${opts.namespace}/${name}: ${apiErrorMessage(err)}`, {
        cause: err,
      });
    }
  }
}

/**
 * `sluice terminate analysisrun NAME` on a cluster: sets the run's spec.terminate, which the
 * controller's next look turns into the verdict the measurements give so far. Recorded as an event
 * on the run with the Kubernetes user. A finished run is returned as it is.
 */
export async function terminateRunInCluster(
  opts: KubeCommandOptions,
  name: string,
  reason?: string,
): Promise<AnalysisRun> {
  const custom = opts.kc.makeApiClient(CustomObjectsApi);
  const ref = { group: SLUICE_GROUP, version: SLUICE_VERSION, namespace: opts.namespace, plural: "analysisruns", name };
  let run: AnalysisRun;
  try {
    run = toResource("AnalysisRun", (await custom.getNamespacedCustomObject(ref)) as KubernetesObject) as AnalysisRun;
  } catch (err) {
    if (apiErrorCode(err) === 404) throw new NotFoundError("AnalysisRun", name);
    throw new KubeCommandError(`could not read AnalysisRun ${opts.namespace}/${name}: ${apiErrorMessage(err)}`, {
      cause: err,
    });
  }
  if (run.spec.terminate || isTerminal(run.status?.phase)) return run;
  try {
    const written = (await custom.patchNamespacedCustomObject(
      {
        ...ref,
        fieldManager: opts.fieldManager ?? "sluice-cli",
        body: [{ op: "add", path: "/spec/terminate", value: true }],
      },
      json,
    )) as KubernetesObject;
    const why = reason ? `: ${reason.slice(0, 1000)}` : "";
    await record(opts, run, `sluice terminate analysisrun ${name}${why}`, opts.fieldManager ?? "sluice-cli").catch(
      () => undefined,
    );
    return toResource("AnalysisRun", written) as AnalysisRun;
  } catch (err) {
    throw new KubeCommandError(`could not terminate AnalysisRun ${opts.namespace}/${name}: ${apiErrorMessage(err)}`, {
      cause: err,
    });
  }
}

async function recordCommand(
  opts: KubeCommandOptions,
  rollout: Rollout,
  command: RolloutCommand,
  component: string,
): Promise<void> {
  await record(opts, rollout, `sluice ${commandLabel(command)}`, component);
}

/** Records a person's command as an event on the object, with who sent it as the API server knows them. */
async function record(
  opts: KubeCommandOptions,
  resource: Rollout | AnalysisRun,
  what: string,
  component: string,
): Promise<void> {
  // Who asked, as the API server knows them: the event is the command's record on the rollout.
  const who = await whoAmI(opts.kc).then(
    (u) => ` (by ${u.username})`,
    () => "",
  );
  const event = { type: "Normal" as const, reason: "CommandReceived", message: `${what}${who}` };
  await opts.kc.makeApiClient(CoreV1Api).createNamespacedEvent({
    namespace: opts.namespace,
    body: kubeEvent(resource, opts.namespace, event, { component }, opts.now?.() ?? new Date()),
  });
}

function guarded(resourceVersion: string, path: string, value: unknown): object[] {
  return [
    { op: "test", path: "/metadata/resourceVersion", value: resourceVersion },
    { op: "add", path, value },
  ];
}
