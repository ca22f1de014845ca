import { describe, expect, it } from "vitest";
import { grants, isRole, ROLES } from "./roles.js";

describe("grants", () => {
  it("follows the role table: viewer reads, operator and approver add their own, admin does everything", () => {
    const table = Object.fromEntries(ROLES.map((has) => [has, ROLES.filter((needs) => grants(has, needs))]));
    expect(table).toEqual({
      viewer: ["viewer"],
      operator: ["viewer", "operator"],
      approver: ["viewer", "approver"],
      admin: ["viewer", "operator", "approver", "admin"],
    });
  });
});

describe("isRole", () => {
  it("knows exactly the four roles", () => {
    for (const r of ROLES) expect(isRole(r)).toBe(true);
    for (const r of ["Admin", "root", "", undefined, 3]) expect(isRole(r)).toBe(false);
  });
});
