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

  describe("on Kubernetes", () => {
    const pod = { spec: { containers: [{ name: "app", image: "web:1" }] } };
    const services = { stableService: "web-stable", canaryService: "web-canary", baselineService: "web-baseline" };

    it.each([
      ["gatewayAPI", { gatewayAPI: { httpRoute: "web" } }],
      ["istio by host", { istio: { virtualService: { name: "web" } } }],
      ["smi", { smi: {} }],
    ])("is accepted with %s and three Services", (_name, trafficRouting) => {
      const found = problems(rollout({ baseline: true, ...services, trafficRouting, steps: [{ setWeight: 10 }] }, pod));
      expect(found).toEqual([]);
    });

    it("refuses no router, naming the field and what to do", () => {
      expect(problems(rollout({ baseline: true, ...services, steps: [{ setWeight: 10 }] }, pod))).toEqual([
        expect.stringMatching(
          /^spec\.strategy\.canary\.trafficRouting: a baseline on Kubernetes needs a traffic router that splits three ways .*add one or turn baseline off$/,
        ),
      ]);
    });

    it("refuses Istio DestinationRule subsets and a missing baselineService, each at its field", () => {
      const istio = {
        istio: {
          virtualService: { name: "web" },
          destinationRule: { name: "web", canarySubsetName: "canary", stableSubsetName: "stable" },
        },
      };
      const { baselineService: _b, ...two } = services;
      expect(problems(rollout({ baseline: true, ...two, trafficRouting: istio, steps: [] }, pod))).toEqual([
        expect.stringMatching(
          /^spec\.strategy\.canary\.trafficRouting\.istio\.destinationRule: a baseline needs Istio host-based routing/,
        ),
        expect.stringMatching(
          /^spec\.strategy\.canary\.baselineService: a baseline on Kubernetes needs baselineService/,
        ),
      ]);
    });

    it("refuses a baseline Service that is the stable or canary one, naming both fields", () => {
      const same = { ...services, baselineService: "web-stable", trafficRouting: { smi: {} }, steps: [] };
      expect(problems(rollout({ baseline: true, ...same }, pod))).toEqual([
        'spec.strategy.canary.baselineService: names Service "web-stable", which stableService names too; each revision needs its own Service',
      ]);
      const canary = { stableService: "web", canaryService: "web", steps: [] };
      expect(problems(rollout(canary, pod))).toEqual([
        'spec.strategy.canary.canaryService: names Service "web", which stableService names too; each revision needs its own Service',
      ]);
    });

    it("property: any mix of router and Services is refused exactly when one is missing, never thrown", () => {
      const routers = fc.constantFrom(
        undefined,
        { gatewayAPI: { httpRoute: "web" } },
        { smi: {} },
        { istio: { virtualService: { name: "web" } } },
        { nginx: { stableIngress: "web" } },
      );
      const name = fc.option(fc.constantFrom("a", "b-1", "c"), { nil: undefined });
      fc.assert(
        fc.property(routers, name, name, name, (trafficRouting, stableService, canaryService, baselineService) => {
          const canary = {
            baseline: true,
            steps: [{ setWeight: 10 }],
            ...(trafficRouting ? { trafficRouting } : {}),
            ...(stableService ? { stableService } : {}),
            ...(canaryService ? { canaryService } : {}),
            ...(baselineService ? { baselineService } : {}),
          };
          const found = problems(rollout(canary, pod));
          const threeWay = trafficRouting !== undefined && !("nginx" in trafficRouting);
          const names = [stableService, canaryService, baselineService];
          const distinct =
            new Set(names.filter((n) => n !== undefined)).size === names.filter((n) => n !== undefined).length;
          const ok = threeWay && stableService && canaryService && baselineService && distinct;
          expect(found.length === 0).toBe(Boolean(ok));
          for (const p of found) expect(p).toMatch(/^spec\.strategy\.canary\.[A-Za-z.]+: /);
        }),
      );
    });
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

describe("Services shared between revisions", () => {
  it("refuses blue-green's active and preview Service being one", () => {
    const raw = rollout({});
    (raw.spec.strategy as Record<string, unknown>) = { blueGreen: { activeService: "web", previewService: "web" } };
    expect(problems(raw)).toEqual([
      'spec.strategy.blueGreen.previewService: names Service "web", which activeService names too; each revision needs its own Service',
    ]);
  });
});
