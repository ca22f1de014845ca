import type { Role } from "../model/roles.js";

// The roles live in the model so that pipeline lint (below the API) can name them too.
export { grants, isRole, ROLES, type Role } from "../model/roles.js";

/** What each role is for, in the words `sluice token create --help` and the docs use. */
export const ROLE_HELP: Record<Role, string> = {
  viewer: "read resources, events and the watch stream",
  operator: "viewer, plus rollout actions (promote, abort, retry, undo, pause, resume, restart, set)",
  approver: "viewer, plus approving or denying pipeline stages",
  admin: "everything: apply, delete, tokens",
};
