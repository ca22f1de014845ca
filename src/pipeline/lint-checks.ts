import { type ApprovalGate, isTimeZone, type PipelineSpec, stageAfter } from "../model/index.js";
import type { FieldIssue } from "../model/issues.js";
import { grants, isRole, ROLES } from "../model/roles.js";
import { compileWindow, neverOpens } from "./schedule.js";

const stagePath = (i: number, ...rest: (string | number)[]) => ["spec", "stages", i, ...rest];

/** Stages that take part in a cycle of `after`, by index, reported once per cycle at its first stage. */
function cycles(spec: PipelineSpec): FieldIssue[] {
  const index = new Map(spec.stages.map((s, i) => [s.name, i]));
  const state = new Map<number, "open" | "done">();
  const out: FieldIssue[] = [];
  const visit = (i: number, path: number[]): void => {
    if (state.get(i) === "done") return;
    if (state.get(i) === "open") {
      const loop = path.slice(path.indexOf(i)).map((j) => spec.stages[j]?.name);
      out.push({
        path: stagePath(i, "after"),
        message: `stages follow each other in a cycle: ${[...loop, spec.stages[i]?.name].join(" -> ")}`,
      });
      return;
    }
    state.set(i, "open");
    for (const name of stageAfter(spec, i)) {
      const j = index.get(name);
      if (j !== undefined) visit(j, [...path, i]);
    }
    state.set(i, "done");
  };
  for (let i = 0; i < spec.stages.length; i++) visit(i, []);
  return out;
}

/** The roles whose tokens may approve or deny a stage at all (the API's approve route needs this). */
const APPROVING_ROLES = ROLES.filter((r) => grants(r, "approver"));

/**
 * An approval no one can give: a role that does not exist or whose tokens cannot approve, an
 * empty `from`, or more approvals required than the names can give when no role is set.
 */
function approvalChecks(approval: ApprovalGate, i: number, rolesAreGroups: boolean): FieldIssue[] {
  const out: FieldIssue[] = [];
  const { roles, names } = approval.from;
  // On Kubernetes the roles are the approvers' groups, which no file can list.
  if (!rolesAreGroups)
    roles?.forEach((role, j) => {
      const path = stagePath(i, "approval", "from", "roles", j);
      if (!isRole(role)) out.push({ path, message: `no role named "${role}"; the roles are ${ROLES.join(", ")}` });
      else if (!APPROVING_ROLES.includes(role))
        out.push({
          path,
          message: `${/^[aeiou]/.test(role) ? "an" : "a"} ${role} token cannot approve or deny; list ${APPROVING_ROLES.join(" or ")}`,
        });
    });
  if (roles !== undefined && roles.length === 0 && names === undefined)
    out.push({
      path: stagePath(i, "approval", "from", "roles"),
      message:
        "roles is empty and no names are given, so no one can approve; leave from out to let any approver approve",
    });
  // With roles set, a bad role is the problem to report; counting names against required would repeat it.
  else if (names !== undefined && !roles?.length && approval.required > names.length)
    out.push({
      path: stagePath(i, "approval", "required"),
      message: `needs ${plural(approval.required, "approval", "approvals")} but names only ${plural(names.length, "person", "people")} and no roles`,
    });
  return out;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Problems with a pipeline that its schema cannot see: duplicate or unknown stage names, cycles in
 * `after`, gates that can never pass (a window that never opens, an approval no role or name can
 * give, a bad time zone), gates that need a previous stage on a stage with none, the
 * `cluster` where no hub can reach other clusters, and two notifications with one name. Paths are relative to the
 * resource, as in src/model/cross-checks.ts.
 */
export function pipelineChecks(
  spec: PipelineSpec,
  opts: {
    /** Approval roles are Kubernetes groups (the pipeline runs on a cluster). */
    rolesAreGroups?: boolean;
    /** Stages may name other clusters: the pipeline runs in a Kubernetes hub, which can reach them. */
    clusters?: boolean;
  } = {},
): FieldIssue[] {
  const out: FieldIssue[] = [];
  const first = new Map<string, number>();
  spec.stages.forEach((s, i) => {
    const at = first.get(s.name);
    if (at === undefined) first.set(s.name, i);
    else out.push({ path: stagePath(i, "name"), message: `duplicate stage name "${s.name}" (first at index ${at})` });
  });
  spec.stages.forEach((s, i) => {
    (s.after ?? []).forEach((name, j) => {
      if (name === s.name) out.push({ path: stagePath(i, "after", j), message: "a stage cannot follow itself" });
      else if (!first.has(name))
        out.push({
          path: stagePath(i, "after", j),
          message: `no stage named "${name}"; stages are ${[...first.keys()].join(", ")}`,
        });
    });
    const root = stageAfter(spec, i).length === 0;
    for (const gate of ["verification", "soak"] as const)
      if (root && s[gate] !== undefined)
        out.push({
          path: stagePath(i, gate),
          message: `${gate} measures the stages before this one, and "${s.name}" follows none`,
        });
    if (s.cluster !== undefined && !opts.clusters)
      out.push({
        path: stagePath(i, "cluster"),
        message:
          "stages in other clusters need Sluice's Kubernetes controller as the hub; on the local platform leave cluster out",
      });
    if (s.approval !== undefined) out.push(...approvalChecks(s.approval, i, opts.rolesAreGroups ?? false));
    const w = s.window;
    if (w !== undefined) {
      if (!isTimeZone(w.timeZone))
        out.push({
          path: stagePath(i, "window", "timeZone"),
          message: `unknown time zone "${w.timeZone}"; use an IANA name like "Europe/Berlin"`,
        });
      else if (w.allow !== undefined && w.allow.length === 0)
        out.push({
          path: stagePath(i, "window", "allow"),
          message: "allow is empty, so the window never opens; leave it out to allow all times",
        });
      else if (neverOpens(compileWindow(w)))
        out.push({
          path: stagePath(i, "window"),
          message: "the window never opens: deny covers every allowed time of the week",
        });
    }
  });
  // Names label the notification metric and the NotificationFailed event, so they must tell entries apart.
  const notifications = new Map<string, number>();
  (spec.notifications ?? []).forEach((n, i) => {
    const at = notifications.get(n.name);
    if (at === undefined) notifications.set(n.name, i);
    else
      out.push({
        path: ["spec", "notifications", i, "name"],
        message: `duplicate notification name "${n.name}" (first at index ${at})`,
      });
  });
  return [...out, ...cycles(spec)];
}

/**
 * Stages whose rollout does not exist. `hasRollout` answers from the other resources being linted
 * or applied (namespace is the stage's, when set).
 */
export function stageRolloutChecks(
  spec: PipelineSpec,
  hasRollout: (name: string, namespace: string | undefined) => boolean,
): FieldIssue[] {
  return spec.stages.flatMap((s, i) =>
    hasRollout(s.rollout, s.namespace)
      ? []
      : [
          {
            path: stagePath(i, "rollout"),
            message: `no Rollout named "${s.rollout}"${s.namespace ? ` in namespace ${s.namespace}` : ""}`,
          },
        ],
  );
}
