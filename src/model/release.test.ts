import { describe, expect, it } from "vitest";
import {
  CREATED_BY_ANNOTATION,
  featuresProblem,
  Release,
  releaseCreatedBy,
  sameReleaseSpec,
  stampRelease,
} from "./release.js";

const manifest = (spec: Record<string, unknown>) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Release",
  metadata: { name: "v2-0" },
  spec: { pipeline: "shop", ...spec },
});
const messages = (spec: Record<string, unknown>) =>
  Release.safeParse(manifest(spec)).error?.issues.map((i) => i.message) ?? [];

describe("Release", () => {
  it("parses an image release with env, features and source", () => {
    const r = Release.parse(
      manifest({
        image: "shop:2.0",
        env: [{ name: "LOG_LEVEL", value: "info" }],
        features: { "new-api": true, limits: { rps: 50 } },
        source: { commit: "abc123", buildUrl: "https://ci.example/b/1" },
      }),
    );
    expect(r.spec.features).toEqual({ "new-api": true, limits: { rps: 50 } });
  });

  it("must change something, and sets each variable once", () => {
    expect(messages({})).toEqual(["a release changes something: set image, command, args, env or features"]);
    expect(
      messages({
        env: [
          { name: "A", value: "1" },
          { name: "A", value: "2" },
        ],
      }),
    ).toEqual(['env "A" is set twice']);
    expect(messages({ env: [{ name: "1A", value: "" }] })).toHaveLength(1);
    expect(messages({ features: { a: 1 }, env: [{ name: "SLUICE_FEATURES", value: "{}" }] })).toEqual([
      'env "SLUICE_FEATURES" would be replaced by features; set featuresEnv to another name',
    ]);
  });

  it("bounds features without overflowing the stack on hostile nesting", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(messages({ features: { x: deep } })).toEqual(["nested deeper than 8 levels"]);
    expect(messages({ features: { x: "y".repeat(20_000) } })).toEqual(["20008 bytes as JSON; at most 16384"]);
    expect(messages({ features: { x: Array.from({ length: 3000 }, () => 0) } })).toEqual(["more than 2000 values"]);
    expect(featuresProblem({ a: Number.NaN })).toBe("numbers must be finite");
    expect(featuresProblem({ a: new Date() })).toMatch(/^only JSON values/);
  });

  it("is stamped by the server with its creation time and creator, over what the user wrote", () => {
    const r = Release.parse({
      ...manifest({ image: "shop:2" }),
      metadata: {
        name: "v2",
        creationTimestamp: "1999-01-01T00:00:00Z",
        annotations: { [CREATED_BY_ANNOTATION]: "forged" },
      },
    });
    const stamped = stampRelease(r, { actor: "ci-bot", now: new Date("2025-03-03T10:00:00Z") });
    expect(stamped.metadata.creationTimestamp).toBe("2025-03-03T10:00:00.000Z");
    expect(releaseCreatedBy(stamped)).toBe("ci-bot");
    expect(r.metadata.creationTimestamp).toBe("1999-01-01T00:00:00Z");
  });

  it("compares specs by content, not key order", () => {
    const a = Release.parse(manifest({ image: "x", features: { a: 1, b: 2 } })).spec;
    const b = Release.parse(manifest({ features: { b: 2, a: 1 }, image: "x" })).spec;
    expect(sameReleaseSpec(a, b)).toBe(true);
    expect(sameReleaseSpec(a, { ...b, image: "y" })).toBe(false);
  });
});
