import { describe, expect, it } from "vitest";
import { RemoteStageError } from "./remote-rollouts.js";
import { RemoteStages } from "./remote-stages.js";

const target = { cluster: "prod", namespace: "apps" };

// Reaching a real target is tested on real control planes (test/multicluster/); these are the
// answers the hub gives before it has anyone to ask.
describe("RemoteStages", () => {
  it("says how to register a cluster that has no Secret, and refuses to write into it", async () => {
    const asked: string[] = [];
    const stages = new RemoteStages({
      namespace: "delivery",
      readSecret: async (name) => {
        asked.push(name);
        return undefined;
      },
    });
    await stages.refresh([target, { cluster: "prod", namespace: "other" }]);
    expect(asked).toEqual(["sluice-cluster-prod"]);
    expect(stages.reach(target)).toEqual({
      cluster: "prod",
      reachable: false,
      error: 'cluster "prod" is not registered in namespace delivery; run sluice cluster add prod -n delivery',
    });
    expect(stages.rollout(target, "web")).toBeUndefined();
    await expect(stages.apply(target, "web", {}, {})).rejects.toBeInstanceOf(RemoteStageError);
  });

  it("names an unusable Secret without quoting it", async () => {
    const stages = new RemoteStages({
      namespace: "delivery",
      readSecret: async () => ({
        metadata: { name: "sluice-cluster-prod" },
        data: { kubeconfig: Buffer.from("users: [secret-token-abc").toString("base64") },
      }),
    });
    await stages.refresh([target]);
    const reach = stages.reach(target);
    expect(reach.reachable).toBe(false);
    expect(reach.error).toBe("Secret sluice-cluster-prod: not a kubeconfig");
    expect(JSON.stringify(reach)).not.toContain("secret-token-abc");
  });

  it("reads a cluster's Secret again only after its time to live", async () => {
    let reads = 0;
    const stages = new RemoteStages({
      namespace: "delivery",
      secretTtlMs: 60_000,
      readSecret: async () => {
        reads++;
        throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      },
    });
    await stages.refresh([target]);
    await stages.refresh([target]);
    expect(reads).toBe(1);
    expect(stages.reach(target)).toMatchObject({
      reachable: false,
      error: "cannot read Secret sluice-cluster-prod: ECONNREFUSED",
    });
  });
});
