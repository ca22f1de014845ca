import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// No helm binary here, so the template is checked as text: a read-only root filesystem needs a
// writable /tmp (Node, the analysis runner's scratch files), or the controller fails at its first write.
const template = readFileSync(new URL("../../deploy/helm/sluice/templates/deployment.yaml", import.meta.url), "utf8");

describe("helm chart: controller Deployment", () => {
  it("mounts an emptyDir at /tmp beside readOnlyRootFilesystem", () => {
    expect(template).toMatch(/readOnlyRootFilesystem: true/);
    expect(template).toMatch(/volumeMounts:\n\s+- name: tmp\n\s+mountPath: \/tmp/);
    expect(template).toMatch(/volumes:\n\s+- name: tmp\n\s+emptyDir: \{\}/);
  });

  it("no longer says the controller command is unwritten", () => {
    expect(template).not.toMatch(/not written yet/);
  });
});
