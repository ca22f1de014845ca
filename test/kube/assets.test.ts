import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assetEnvVar, KUBE_BINARIES, KWOK_STAGES_FILE, resolveAssets } from "../../scripts/k8s/assets.js";

async function fill(dir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    await writeFile(join(dir, name), "#!/bin/sh\n");
    await chmod(join(dir, name), 0o755);
  }
}

describe("assetEnvVar", () => {
  it("follows envtest's TEST_ASSET_* naming", () => {
    expect(assetEnvVar("kube-apiserver")).toBe("TEST_ASSET_KUBE_APISERVER");
    expect(assetEnvVar("etcd")).toBe("TEST_ASSET_ETCD");
    expect(assetEnvVar(KWOK_STAGES_FILE)).toBe("TEST_ASSET_KWOK_STAGES");
  });
});

describe("resolveAssets", () => {
  let a: string;
  let b: string;
  beforeEach(async () => {
    a = await mkdtemp(join(tmpdir(), "sluice-assets-a-"));
    b = await mkdtemp(join(tmpdir(), "sluice-assets-b-"));
  });
  afterEach(async () => {
    await rm(a, { recursive: true, force: true });
    await rm(b, { recursive: true, force: true });
  });

  it("takes everything from KUBEBUILDER_ASSETS when it is complete", async () => {
    await fill(a, [...KUBE_BINARIES, KWOK_STAGES_FILE]);
    const { assets, missing } = resolveAssets({ KUBEBUILDER_ASSETS: a }, b);
    expect(missing).toEqual([]);
    expect(assets["kube-apiserver"]).toBe(join(a, "kube-apiserver"));
    expect(assets.kwokStages).toBe(join(a, KWOK_STAGES_FILE));
  });

  it("lets a TEST_ASSET_* variable override the directory and falls back to the cache dir", async () => {
    await fill(a, ["etcd"]);
    await fill(b, [...KUBE_BINARIES, KWOK_STAGES_FILE]);
    const custom = join(a, "my-apiserver");
    await fill(a, ["my-apiserver"]);
    const { assets, missing } = resolveAssets({ KUBEBUILDER_ASSETS: a, TEST_ASSET_KUBE_APISERVER: custom }, b);
    expect(missing).toEqual([]);
    expect(assets.etcd).toBe(join(a, "etcd"));
    expect(assets["kube-apiserver"]).toBe(custom);
    expect(assets.kwok).toBe(join(b, "kwok"));
  });

  it("reports what is missing, including binaries that are not executable", async () => {
    await fill(a, ["etcd", "kube-scheduler"]);
    await chmod(join(a, "kube-scheduler"), 0o644);
    const { missing } = resolveAssets({ KUBEBUILDER_ASSETS: a });
    expect(missing).toEqual(["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", KWOK_STAGES_FILE]);
  });

  it("does not fall back when an override points nowhere", async () => {
    await fill(a, [...KUBE_BINARIES, KWOK_STAGES_FILE]);
    const { missing } = resolveAssets({ KUBEBUILDER_ASSETS: a, TEST_ASSET_ETCD: join(b, "absent") });
    expect(missing).toEqual(["etcd"]);
  });
});
