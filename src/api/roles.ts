/** The roles an API token can have. */
export const ROLES = ["viewer", "operator", "approver", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** What each role is for, in the words `sluice token create --help` and the docs use. */
export const ROLE_HELP: Record<Role, string> = {
  viewer: "read resources, events and the watch stream",
  operator: "viewer, plus rollout actions (promote, abort, retry, undo, pause, resume, restart, set)",
  approver: "viewer, plus approving or denying pipeline stages",
  admin: "everything: apply, delete, tokens",
};

/**
 * The roles whose routes each role may call. Operator and approver are apart on purpose: the person
 * who ships a release is not by default the one who signs it off.
 */
const GRANTS: Record<Role, readonly Role[]> = {
  viewer: ["viewer"],
  operator: ["viewer", "operator"],
  approver: ["viewer", "approver"],
  admin: ["viewer", "operator", "approver", "admin"],
};

/** Whether a token with role `has` may call a route that needs `needs`. */
export function grants(has: Role, needs: Role): boolean {
  return GRANTS[has].includes(needs);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
