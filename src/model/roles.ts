/** The roles an API token can have. Pipelines name them in `approval.from.roles`. */
export const ROLES = ["viewer", "operator", "approver", "admin"] as const;
export type Role = (typeof ROLES)[number];

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
