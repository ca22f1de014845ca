import { describe, expect, it } from "vitest";
import { ROLES as API_ROLES } from "../api/roles.js";
import { PipelineSpec } from "../model/index.js";
import { ROLES } from "../model/roles.js";
import { pipelineChecks, stageRolloutChecks } from "./lint-checks.js";

const spec = (stages: unknown[]) => PipelineSpec.parse({ stages });
const issues = (stages: unknown[]) => pipelineChecks(spec(stages)).map((i) => `${i.path.join(".")}: ${i.message}`);

describe("pipelineChecks", () => {
  it("accepts a plain three-stage pipeline", () => {
    expect(
      issues([
        { name: "canary", rollout: "a" },
        { name: "staging", rollout: "b", soak: "1h" },
        { name: "production", rollout: "c", approval: { required: 2, from: { names: ["x", "y"] } } },
      ]),
    ).toEqual([]);
  });

  it("reports duplicate and unknown stage names and a stage that follows itself", () => {
    expect(
      issues([
        { name: "a", rollout: "r" },
        { name: "a", rollout: "r", after: ["nope"] },
        { name: "b", rollout: "r", after: ["b"] },
      ]),
    ).toEqual([
      'spec.stages.1.name: duplicate stage name "a" (first at index 0)',
      'spec.stages.1.after.0: no stage named "nope"; stages are a, b',
      "spec.stages.2.after.0: a stage cannot follow itself",
      "spec.stages.2.after: stages follow each other in a cycle: b -> b",
    ]);
  });

  it("reports a cycle through several stages once", () => {
    expect(
      issues([
        { name: "a", rollout: "r", after: ["c"] },
        { name: "b", rollout: "r" },
        { name: "c", rollout: "r" },
      ]),
    ).toEqual(["spec.stages.0.after: stages follow each other in a cycle: a -> c -> b -> a"]);
  });

  it("reports gates that can never pass or have nothing to measure", () => {
    expect(
      issues([
        { name: "a", rollout: "r", soak: "1h", verification: { templates: [{ templateName: "t" }] } },
        { name: "b", rollout: "r", approval: { required: 3, from: { names: ["x", "y"] } } },
        { name: "c", rollout: "r", window: { timeZone: "UTC", deny: [{ from: "00:00", to: "24:00" }] } },
        { name: "d", rollout: "r", window: { timeZone: "UTC", allow: [] } },
        { name: "e", rollout: "r", cluster: "eu-1" },
      ]),
    ).toEqual([
      'spec.stages.0.verification: verification measures the stages before this one, and "a" follows none',
      'spec.stages.0.soak: soak measures the stages before this one, and "a" follows none',
      "spec.stages.1.approval.required: needs 3 approvals but names only 2 people and no roles",
      "spec.stages.2.window: the window never opens: deny covers every allowed time of the week",
      "spec.stages.3.window.allow: allow is empty, so the window never opens; leave it out to allow all times",
      "spec.stages.4.cluster: stages in other clusters need Sluice's Kubernetes controller as the hub; on the local platform leave cluster out",
    ]);
  });

  it("accepts a stage in another cluster when the pipeline runs in a Kubernetes hub", () => {
    const remote = PipelineSpec.parse({ stages: [{ name: "prod", rollout: "web", cluster: "eu-1" }] });
    expect(pipelineChecks(remote, { clusters: true })).toEqual([]);
    expect(pipelineChecks(remote).map((i) => i.path.join("."))).toEqual(["spec.stages.0.cluster"]);
  });

  it("does not count names against required when roles may approve too", () => {
    expect(
      issues([{ name: "a", rollout: "r", approval: { required: 3, from: { names: ["x"], roles: ["approver"] } } }]),
    ).toEqual([]);
  });

  it("reports a role that does not exist, listing the roles", () => {
    expect(
      issues([{ name: "a", rollout: "r", approval: { from: { roles: ["approver", "release-manager"] } } }]),
    ).toEqual([
      'spec.stages.0.approval.from.roles.1: no role named "release-manager"; the roles are viewer, operator, approver, admin',
    ]);
  });

  it("reports a role whose tokens cannot approve, and accepts the two that can", () => {
    expect(
      issues([
        { name: "a", rollout: "r", approval: { from: { roles: ["viewer", "operator"], names: ["x"] } } },
        { name: "b", rollout: "r", approval: { from: { roles: ["approver", "admin"] } } },
      ]),
    ).toEqual([
      "spec.stages.0.approval.from.roles.0: a viewer token cannot approve or deny; list approver or admin",
      "spec.stages.0.approval.from.roles.1: an operator token cannot approve or deny; list approver or admin",
    ]);
  });

  it("reports an approval whose from lets no one approve", () => {
    expect(
      issues([
        { name: "a", rollout: "r", approval: { from: { roles: [] } } },
        { name: "b", rollout: "r", approval: { from: { roles: [], names: [] } } },
        { name: "c", rollout: "r", approval: { from: { names: ["x"] } } },
      ]),
    ).toEqual([
      "spec.stages.0.approval.from.roles: roles is empty and no names are given, so no one can approve; leave from out to let any approver approve",
      "spec.stages.1.approval.required: needs 1 approval but names only 0 people and no roles",
    ]);
  });

  it("takes the list of roles from the one place tokens get theirs", () => {
    // The API re-exports the model's roles: a role added there is known to lint at once.
    expect(ROLES).toBe(API_ROLES);
    for (const role of ROLES) {
      const out = issues([{ name: "a", rollout: "r", approval: { from: { roles: [role] } } }]);
      expect(out.some((m) => m.includes("no role named"))).toBe(false);
    }
  });

  it("reports two notifications with one name", () => {
    const s = PipelineSpec.parse({
      stages: [{ name: "a", rollout: "r" }],
      notifications: ["ops", "chat", "ops"].map((name) => ({ name, webhook: { url: "http://127.0.0.1:9/h" } })),
    });
    expect(pipelineChecks(s)).toEqual([
      { path: ["spec", "notifications", 2, "name"], message: 'duplicate notification name "ops" (first at index 0)' },
    ]);
  });

  it("reports an unknown time zone in a spec that skipped the schema", () => {
    const s = spec([{ name: "a", rollout: "r", window: { timeZone: "UTC" } }]);
    const window = s.stages[0]?.window;
    if (window) window.timeZone = "Mars/Olympus";
    expect(pipelineChecks(s)).toEqual([
      {
        path: ["spec", "stages", 0, "window", "timeZone"],
        message: 'unknown time zone "Mars/Olympus"; use an IANA name like "Europe/Berlin"',
      },
    ]);
  });
});

describe("stageRolloutChecks", () => {
  it("reports stages whose rollout does not exist, with the namespace when set", () => {
    const s = spec([
      { name: "a", rollout: "web" },
      { name: "b", rollout: "web", namespace: "prod" },
      { name: "c", rollout: "gone" },
    ]);
    const known = new Set(["web", "prod/web-x"]);
    const has = (name: string, ns: string | undefined) => known.has(ns ? `${ns}/${name}` : name);
    expect(stageRolloutChecks(s, has)).toEqual([
      { path: ["spec", "stages", 1, "rollout"], message: 'no Rollout named "web" in namespace prod' },
      { path: ["spec", "stages", 2, "rollout"], message: 'no Rollout named "gone"' },
    ]);
  });
});

describe("pipelineChecks on Kubernetes", () => {
  it("takes approval roles as group names, which no file can check", () => {
    const spec = PipelineSpec.parse({
      stages: [
        { name: "a", rollout: "a" },
        { name: "b", rollout: "b", approval: { from: { roles: ["release-managers"] } } },
      ],
    });
    expect(pipelineChecks(spec).map((i) => i.message)).toEqual([expect.stringMatching(/no role named/)]);
    expect(pipelineChecks(spec, { rolesAreGroups: true })).toEqual([]);
  });
});
