import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatPath } from "./errors.js";
import { validateResource } from "./validate.js";

const rollout = (canary: Record<string, unknown>, template: unknown = { process: { command: "node" } }) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web" },
  spec: { template, strategy: { canary } },
});

const problems = (raw: unknown) => validateResource(raw).issues.map((i) => `${formatPath(i.path)}: ${i.message}`);

describe("spec.strategy.canary.baseline", () => {
  it("is accepted with weights up to 50", () => {
    const v = validateResource(rollout({ baseline: true, steps: [{ setWeight: 20 }, { setWeight: 50 }] }));
    expect(v.issues).toEqual([]);
    expect(v.resource?.kind === "Rollout" && v.resource.spec.strategy.canary?.baseline).toBe(true);
  });

  it("refuses a weight the canary and the baseline cannot both take, naming the step", () => {
    expect(problems(rollout({ baseline: true, steps: [{ setWeight: 20 }, { setWeight: 60 }] }))).toEqual([
      expect.stringMatching(/^spec\.strategy\.canary\.steps\[1\]\.setWeight: with baseline on, .*2 x 60 > 100/),
    ]);
  });

  it("refuses NGINX Ingress, which splits two ways only", () => {
    const nginx = { trafficRouting: { nginx: { stableIngress: "web" } }, baseline: true, steps: [{ setWeight: 10 }] };
    const found = problems(rollout(nginx, { spec: { containers: [{ name: "app", image: "web:1" }] } }));
    expect(found).toContainEqual(expect.stringMatching(/^spec\.strategy\.canary\.baseline: NGINX Ingress splits/));
  });

  it("refuses a Kubernetes pod template: the baseline is local-only for now", () => {
    const pod = { spec: { containers: [{ name: "app", image: "web:1" }] } };
    expect(problems(rollout({ baseline: true, steps: [{ setWeight: 10 }] }, pod))).toEqual([
      expect.stringMatching(/^spec\.strategy\.canary\.baseline: a baseline revision runs only on the local platform/),
    ]);
  });

  it("refuses it on a blue-green strategy", () => {
    const raw = rollout({});
    (raw.spec.strategy as Record<string, unknown>) = { blueGreen: { baseline: true } };
    expect(problems(raw).join("\n")).toMatch(/baseline/);
  });

  it("property: any steps and flag parse exactly when no step's weight doubled passes 100", () => {
    fc.assert(
      fc.property(
        fc.option(fc.boolean(), { nil: undefined }),
        fc.array(fc.integer({ min: 0, max: 100 }), { maxLength: 8 }),
        (baseline, weights) => {
          const canary = {
            steps: weights.map((w) => ({ setWeight: w })),
            ...(baseline === undefined ? {} : { baseline }),
          };
          const ok = validateResource(rollout(canary)).issues.length === 0;
          expect(ok).toBe(!baseline || weights.every((w) => w * 2 <= 100));
        },
      ),
    );
  });

  it("property: a value other than a boolean is refused at the field, never thrown", () => {
    fc.assert(
      fc.property(
        fc.anything().filter((v) => typeof v !== "boolean" && v !== undefined),
        (value) => {
          const found = problems(rollout({ baseline: value, steps: [] }));
          expect(found.some((p) => p.startsWith("spec.strategy.canary.baseline"))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
