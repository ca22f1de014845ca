import { AuthenticationV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import type { PipelineApproval } from "../../model/index.js";
import { type PipelineRequest, PipelineRequestError, type RecordedEntry } from "../../ports/control-plane.js";
import type { RecordFilter } from "../../ports/pipeline-store.js";
import { apiErrorCode, apiErrorMessage } from "./api-errors.js";
import { pluralOf, SLUICE_GROUP, SLUICE_VERSION } from "./crds.js";
import { filterRecord, type KubePipelineStatus } from "./pipeline-status.js";

/** Options of {@link requestByApproval}. */
export interface ApprovalRequestOptions {
  /** How long to wait for the controller to record or refuse the approval (default 30 s). */
  timeoutMs?: number;
  pollMs?: number;
}

const MAX_GROUPS = 20;

/**
 * Carries out a person's pipeline request on a cluster: creates a PipelineApproval as the caller,
 * naming them as the API server knows them (SelfSubjectReview) so the requester policy accepts it,
 * then waits for the controller to record it and returns the record entry, or throws its refusal.
 */
export async function requestByApproval(
  kc: KubeConfig,
  namespace: string,
  pipeline: string,
  request: PipelineRequest,
  opts: ApprovalRequestOptions = {},
): Promise<RecordedEntry> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const user = await whoAmI(kc);
  const ref = { group: SLUICE_GROUP, version: SLUICE_VERSION, namespace };
  const spec: PipelineApproval["spec"] = {
    pipeline,
    release: request.release,
    ...("stage" in request ? { stage: request.stage } : {}),
    decision: request.type,
    reason: request.reason,
    requester: user.username,
    // Groups are the roles an approval gate checks; the policy lets only the caller's own through.
    groups: user.groups.filter((g) => g.length <= 63).slice(0, MAX_GROUPS),
  };
  let name: string;
  try {
    const created = (await custom.createNamespacedCustomObject({
      ...ref,
      plural: pluralOf("PipelineApproval"),
      body: {
        apiVersion: `${SLUICE_GROUP}/${SLUICE_VERSION}`,
        kind: "PipelineApproval",
        metadata: { generateName: `${pipeline}-${request.type}-` },
        spec,
      },
    })) as { metadata: { name: string } };
    name = created.metadata.name;
  } catch (err) {
    const code = apiErrorCode(err);
    throw new PipelineRequestError(
      `could not create a PipelineApproval in ${namespace}: ${apiErrorMessage(err)}`,
      code === 403 ? "Forbidden" : code === 404 ? "NotFound" : "Conflict",
    );
  }
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const approval = (await custom.getNamespacedCustomObject({
      ...ref,
      plural: pluralOf("PipelineApproval"),
      name,
    })) as PipelineApproval;
    const status = approval.status;
    if (status?.phase === "Refused") throw refusal(status.message ?? "refused");
    if (status?.phase === "Recorded" && status.seq !== undefined) {
      const entry = (await clusterRecord(kc, namespace, pipeline)).find((e) => e.seq === status.seq);
      if (entry) return entry;
    }
    if (Date.now() >= deadline)
      throw new PipelineRequestError(
        `PipelineApproval ${namespace}/${name} was created, but no Sluice controller recorded it in time; see kubectl get pipelineapproval -n ${namespace} ${name}`,
        "Conflict",
      );
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 250));
  }
}

/** A pipeline's record as its status on the cluster holds it (the newest entries), filtered. */
export async function clusterRecord(
  kc: KubeConfig,
  namespace: string,
  pipeline: string,
  filter?: RecordFilter,
): Promise<RecordedEntry[]> {
  const obj = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
    group: SLUICE_GROUP,
    version: SLUICE_VERSION,
    namespace,
    plural: pluralOf("Pipeline"),
    name: pipeline,
  })) as { status?: KubePipelineStatus };
  return filterRecord(obj.status?.record ?? [], filter);
}

/** Who the kubeconfig's user is, as the API server knows them (SelfSubjectReview). */
export async function whoAmI(kc: KubeConfig): Promise<{ username: string; groups: string[] }> {
  try {
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    const username = review.status?.userInfo?.username;
    if (!username) throw new Error("the API server named no user");
    return { username, groups: review.status?.userInfo?.groups ?? [] };
  } catch (err) {
    throw new PipelineRequestError(
      `could not learn who you are from the API server (SelfSubjectReview): ${apiErrorMessage(err)}`,
      "Forbidden",
    );
  }
}

/** The controller's refusal, with the status the local API would give the same one. */
function refusal(message: string): PipelineRequestError {
  const status = / may not /.test(message)
    ? "Forbidden"
    : /has no (release|stage)/.test(message)
      ? "NotFound"
      : "Conflict";
  return new PipelineRequestError(message, status);
}
