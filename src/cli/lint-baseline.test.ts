import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lintCommand } from "./lint.js";

const rollout = (template: string, strategy: string) => `apiVersion: sluice.dev/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  template:
${template}
  strategy:
${strategy}
`;
const processTemplate = "    process: {command: node}";
const podTemplate = "    spec: {containers: [{name: app, image: 'web:1'}]}";

describe("sluice lint on spec.strategy.canary.baseline", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-lint-baseline-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function lint(text: string) {
    const file = join(dir, "r.yaml");
    await writeFile(file, text);
    const errors: string[] = [];
    const code = await lintCommand([file], { log: () => {}, error: (t) => errors.push(t) });
    return { code, errors: errors.map((e) => e.replace(`${file}:`, "")) };
  }

  it("accepts a baseline with weights up to 50 on the local platform", async () => {
    const ok = await lint(
      rollout(processTemplate, "    canary: {baseline: true, steps: [{setWeight: 20}, {setWeight: 50}]}"),
    );
    expect(ok).toEqual({ code: 0, errors: [] });
  });

  it("refuses, in one line naming the field: 2w > 100, a Kubernetes pod template, blue-green", async () => {
    const heavy = await lint(rollout(processTemplate, "    canary: {baseline: true, steps: [{setWeight: 60}]}"));
    expect(heavy.code).toBe(1);
    expect(heavy.errors[0]).toMatch(
      /^\d+ spec\.strategy\.canary\.steps\[0\]\.setWeight: with baseline on, .*2 x 60 > 100/,
    );

    const pod = await lint(rollout(podTemplate, "    canary: {baseline: true, steps: [{setWeight: 10}]}"));
    expect(pod.code).toBe(1);
    expect(pod.errors[0]).toMatch(
      /^\d+ spec\.strategy\.canary\.trafficRouting: a baseline on Kubernetes needs a traffic router that splits three ways/,
    );
    expect(pod.errors).toContainEqual(
      expect.stringMatching(
        /^\d+ spec\.strategy\.canary\.baselineService: a baseline on Kubernetes needs baselineService/,
      ),
    );

    const routed = await lint(
      rollout(
        podTemplate,
        "    canary: {baseline: true, stableService: s, canaryService: c, baselineService: b, trafficRouting: {gatewayAPI: {httpRoute: web}}, steps: [{setWeight: 10}]}",
      ),
    );
    expect(routed).toEqual({ code: 0, errors: [] });

    const blueGreen = await lint(rollout(processTemplate, "    blueGreen: {baseline: true}"));
    expect(blueGreen.code).toBe(1);
    expect(blueGreen.errors[0]).toMatch(/^\d+ spec\.strategy\.blueGreen\.baseline: /);
  });
});
