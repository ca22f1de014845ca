import { describe, expect, it } from "vitest";
import { Release, RolloutSpec } from "../model/index.js";
import {
  applyRelease,
  BASE_TEMPLATE_ANNOTATION,
  RELEASE_ANNOTATION,
  releaseOf,
  releaseOnBase,
} from "./apply-release.js";

const release = (spec: Record<string, unknown>, name = "v2") =>
  Release.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Release",
    metadata: { name },
    spec: { pipeline: "shop", ...spec },
  });

const processSpec = () =>
  RolloutSpec.parse({
    template: {
      process: {
        command: "node",
        args: ["app.js"],
        env: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ],
      },
    },
    strategy: { canary: {} },
  });

const podSpec = () =>
  RolloutSpec.parse({
    template: {
      spec: {
        containers: [
          { name: "app", image: "shop:1", env: [{ name: "A", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] },
          { name: "sidecar", image: "proxy:1" },
        ],
      },
    },
    strategy: { blueGreen: {} },
  });

describe("applyRelease on a local process", () => {
  it("replaces command and args, merges env by name, sets features and the release annotation", () => {
    const spec = processSpec();
    const r = release({
      command: "./server",
      args: ["--port", "0"],
      env: [
        { name: "B", value: "20" },
        { name: "C", value: "3" },
      ],
      features: { "new-api": true, "legacy-ui": false },
    });
    const out = applyRelease(spec, r);
    expect(out.error).toBeUndefined();
    expect(out.spec?.template.process).toMatchObject({
      command: "./server",
      args: ["--port", "0"],
      env: [
        { name: "A", value: "1" },
        { name: "B", value: "20" },
        { name: "C", value: "3" },
        { name: "SLUICE_FEATURES", value: '{"legacy-ui":false,"new-api":true}' },
      ],
    });
    expect(out.spec && releaseOf(out.spec)).toBe("v2");
    expect(spec.template.process?.command).toBe("node");
    expect(spec.template.metadata).toBeUndefined();
  });

  it("puts features in the variable the release names", () => {
    const out = applyRelease(processSpec(), release({ features: { a: true }, featuresEnv: "FEATURES" }));
    expect(out.spec?.template.process?.env.at(-1)).toEqual({ name: "FEATURES", value: '{"a":true}' });
  });

  it("keeps the command when only args change, and gives the same template when applied twice", () => {
    const once = applyRelease(processSpec(), release({ args: ["app.js", "v2"] })).spec;
    if (!once) throw new Error("not applied");
    expect(once.template.process).toMatchObject({ command: "node", args: ["app.js", "v2"] });
    expect(applyRelease(once, release({ args: ["app.js", "v2"] })).spec).toEqual(once);
  });

  it("refuses an image for a local process", () => {
    expect(applyRelease(processSpec(), release({ image: "shop:2" })).error).toBe(
      'release "v2" sets image, but the rollout runs a local process; set command instead',
    );
  });
});

describe("applyRelease on a Kubernetes pod template", () => {
  it("changes the first container by default and replaces a variable that came from a secret", () => {
    const out = applyRelease(
      podSpec(),
      release({ image: "shop:2", env: [{ name: "A", value: "plain" }], features: { x: 1 } }),
    );
    const [app, sidecar] = (out.spec?.template.spec?.containers ?? []) as Record<string, unknown>[];
    expect(app).toEqual({
      name: "app",
      image: "shop:2",
      env: [
        { name: "A", value: "plain" },
        { name: "SLUICE_FEATURES", value: '{"x":1}' },
      ],
    });
    expect(sidecar).toEqual({ name: "sidecar", image: "proxy:1" });
    expect(out.spec?.template.metadata?.annotations).toEqual({ [RELEASE_ANNOTATION]: "v2" });
  });

  it("changes the named container, and reports one that does not exist", () => {
    const out = applyRelease(
      podSpec(),
      release({ image: "proxy:2", container: "sidecar", command: "/proxy", args: ["-v"] }),
    );
    expect(out.spec?.template.spec?.containers[1]).toEqual({
      name: "sidecar",
      image: "proxy:2",
      command: ["/proxy"],
      args: ["-v"],
    });
    expect(applyRelease(podSpec(), release({ image: "x", container: "nope" })).error).toBe(
      'release "v2": the rollout\'s pod template has no container "nope"',
    );
  });
});

describe("releaseOnBase", () => {
  const rollout = () =>
    ({
      apiVersion: "sluice.dev/v1alpha1",
      kind: "Rollout",
      metadata: { name: "web" },
      spec: processSpec(),
    }) as unknown as import("../model/index.js").Rollout;

  it("applies every release to the template as the user wrote it, so nothing leaks between releases", () => {
    const v2 = release({ env: [{ name: "VERSION", value: "2.0" }] }, "v2");
    const v3 = release(
      {
        env: [
          { name: "VERSION", value: "3.0" },
          { name: "EXTRA", value: "1" },
        ],
        command: "deno",
      },
      "v3",
    );
    const onV2 = releaseOnBase(rollout(), v2).rollout!;
    const onV3 = releaseOnBase(onV2, v3).rollout!;
    expect(onV3.spec.template.process?.env.map((e) => e.name)).toEqual(["A", "B", "VERSION", "EXTRA"]);
    const backOnV2 = releaseOnBase(onV3, v2).rollout!;
    // Back to v2 gives v2's template exactly: the same revision, which a fast rollback recognises.
    expect(backOnV2.spec.template).toEqual(onV2.spec.template);
    expect(releaseOf(backOnV2.spec)).toBe("v2");
    expect(backOnV2.spec.template.process?.command).toBe("node");
  });

  it("takes the current template as the base when none is remembered, without the release annotation", () => {
    const first = releaseOnBase(rollout(), release({ env: [{ name: "VERSION", value: "2.0" }] }, "v2")).rollout!;
    const base = JSON.parse(first.metadata.annotations?.[BASE_TEMPLATE_ANNOTATION] ?? "{}");
    expect(base.metadata).toBeUndefined();
    expect(base.process.env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
  });

  it("reports a release that does not fit, and changes nothing", () => {
    const result = releaseOnBase(rollout(), release({ image: "shop:2" }));
    expect(result.error).toMatch(/runs a local process/);
    expect(result.rollout).toBeUndefined();
  });
});
