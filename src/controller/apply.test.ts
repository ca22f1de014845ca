import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ValidationError } from "../model/errors.js";
import { openStore, type Store } from "../store/index.js";
import { applyResources } from "./apply.js";

const rollout = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name },
  spec: { template: { process: { command: "app" } }, strategy: { canary: { steps: [] } }, ...extra },
});
const template = (name: string) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name },
  spec: { metrics: [{ name: "m", provider: { builtin: {} }, successCondition: "result.canary.successRate >= 0.99" }] },
});
const withAnalysis = (name: string, templateName: string) =>
  rollout(name, {
    strategy: { canary: { steps: [{ analysis: { templates: [{ templateName }] } }] } },
  });

describe("applyResources", () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "sluice-apply-"));
    store = openStore(dir);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reports created, unchanged and configured, and never overwrites status", () => {
    expect(applyResources(store, [rollout("web")])[0]?.outcome).toBe("created");
    store.commitStatus("Rollout", "web", { phase: "Healthy" }, []);
    expect(applyResources(store, [rollout("web")])[0]?.outcome).toBe("unchanged");
    expect(applyResources(store, [rollout("web", { replicas: 3 })])[0]?.outcome).toBe("configured");
    const stored = store.getResource("Rollout", "web") as { status?: { phase: string }; spec: { replicas: number } };
    expect(stored.status?.phase).toBe("Healthy");
    expect(stored.spec.replicas).toBe(3);
  });

  it("accepts a template applied in the same batch, and stores nothing when one reference is unknown", () => {
    expect(applyResources(store, [template("ok"), withAnalysis("a", "ok")]).map((r) => r.outcome)).toEqual([
      "created",
      "created",
    ]);
    const attempt = () => applyResources(store, [rollout("b"), withAnalysis("c", "missing")], { source: "c.yaml" });
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(
      /c\.yaml spec\.strategy\.canary\.steps\[0\]\.analysis\.templates\[0\]\.templateName: AnalysisTemplate "missing" not found/,
    );
    expect(store.getResource("Rollout", "b")).toBeUndefined();
  });

  it("stores nothing the platform cannot run, naming the field", () => {
    const admit = () => [{ path: "spec.template", message: "needs template.process" }];
    expect(() => applyResources(store, [rollout("web")], {}, admit)).toThrow(/spec\.template: needs template\.process/);
    expect(store.getResource("Rollout", "web")).toBeUndefined();
  });

  it("changes nothing on a dry run", () => {
    expect(applyResources(store, [rollout("web")], { dryRun: true })[0]?.outcome).toBe("created");
    expect(store.getResource("Rollout", "web")).toBeUndefined();
  });
});
