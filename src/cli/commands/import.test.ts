import { describe, expect, it } from "vitest";
import { loadText } from "../../model/load.js";
import type { Output } from "../output.js";
import { importCommand } from "./import.js";

function capture() {
  const logs: string[] = [];
  const errors: string[] = [];
  const out: Output = { log: (t) => logs.push(t), error: (t) => errors.push(t), isTTY: false };
  return { out, logs, errors };
}

const rollout = `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  template:
    spec:
      containers: [{name: web, image: "web:1"}]
  strategy:
    canary:
      steps: [{setWeight: 20}, {pause: {}}]
      trafficRouting:
        alb: {ingress: web, servicePort: 80}
`;

describe("importCommand", () => {
  it("prints Sluice YAML on stdout and one warning line per dropped field, exit 0", async () => {
    const c = capture();
    expect(await importCommand(["-"], c.out, { readStdin: async () => rollout })).toBe(0);
    expect(c.errors).toEqual([
      "warning: <stdin>: Rollout/web spec.strategy.canary.trafficRouting.alb: no Sluice equivalent; dropped",
    ]);
    const loaded = loadText(c.logs.join("\n"), "out");
    expect(loaded.errors).toEqual([]);
    expect(loaded.resources[0]).toMatchObject({
      kind: "Rollout",
      spec: { strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } } },
    });
  });

  it("passes over a ConfigMap beside a Rollout with an info line, exit 0", async () => {
    const c = capture();
    const text = `${rollout}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n`;
    expect(await importCommand(["-"], c.out, { readStdin: async () => text })).toBe(0);
    expect(c.errors.at(-1)).toBe(
      "info: <stdin>: ConfigMap/web: v1 ConfigMap is not an Argo Rollouts or Flagger resource; passed over",
    );
  });

  it("exits 1 for a document it cannot translate, still printing the others", async () => {
    const c = capture();
    const text = `${rollout}---\napiVersion: argoproj.io/v1alpha1\nkind: Experiment\nmetadata: {name: web}\n`;
    expect(await importCommand(["-"], c.out, { readStdin: async () => text })).toBe(1);
    expect(c.logs.join("\n")).toContain("kind: Rollout");
    expect(c.errors.at(-1)).toBe(
      "error: <stdin>:14: Experiment/web: Argo Experiments are not supported yet; run the experiment's versions as separate Rollouts",
    );
  });

  it("tells how to keep a HorizontalPodAutoscaler, and exits 0", async () => {
    const c = capture();
    const text = `${rollout}---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n`;
    expect(await importCommand(["-"], c.out, { readStdin: async () => text })).toBe(0);
    expect(c.logs.join("\n")).not.toContain("HorizontalPodAutoscaler");
    expect(c.errors.at(-1)).toMatch(
      /^warning: <stdin>: HorizontalPodAutoscaler\/web: keep it, with spec.scaleTargetRef set to apiVersion sluice.dev\/v1alpha1, kind Rollout/,
    );
  });

  it("exits 1 when there is nothing to translate or nothing named", async () => {
    const empty = capture();
    expect(await importCommand(["-"], empty.out, { readStdin: async () => "" })).toBe(1);
    expect(empty.errors).toEqual(["error: no Argo Rollouts or Flagger resources found in -"]);
    const none = capture();
    expect(await importCommand([], none.out)).toBe(1);
    expect(none.errors).toEqual(["error: name at least one file or directory, or - for standard input"]);
  });
});
