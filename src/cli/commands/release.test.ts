import { describe, expect, it } from "vitest";
import { Release } from "../../model/index.js";
import { CliError } from "../cli-error.js";
import { captureOutput, fakeApi } from "../testing.js";
import { buildRelease, parseEnvFlag, releaseCreateCommand } from "./release.js";

const files = (content: Record<string, string>) => (p: string) => {
  const text = content[p];
  if (text === undefined) throw new Error(`ENOENT: ${p}`);
  return text;
};

describe("parseEnvFlag", () => {
  it("splits at the first =, so a value may hold one", () => {
    expect(parseEnvFlag("VERSION=2.0")).toEqual({ name: "VERSION", value: "2.0" });
    expect(parseEnvFlag("URL=a=b")).toEqual({ name: "URL", value: "a=b" });
    expect(parseEnvFlag("EMPTY=")).toEqual({ name: "EMPTY", value: "" });
  });

  it("refuses an assignment without a name or =", () => {
    expect(() => parseEnvFlag("VERSION")).toThrow(/--set-env "VERSION": use NAME=VALUE/);
    expect(() => parseEnvFlag("=2")).toThrow(CliError);
  });
});

describe("buildRelease", () => {
  it("builds a Release the model accepts from every flag", () => {
    const body = buildRelease(
      "shop",
      "v2",
      {
        command: "node",
        args: ["server.js", "--port", "0"],
        setEnv: ["VERSION=2.0", "LOG=debug"],
        features: "f.json",
        featuresEnv: "FEATURES",
        commit: "4f2c9a1",
        buildUrl: "https://ci.example.com/b/1",
      },
      files({ "f.json": '{"new-api": true}' }),
    );
    const parsed = Release.parse({ apiVersion: "sluice.dev/v1alpha1", kind: "Release", ...body });
    expect(parsed.metadata.name).toBe("v2");
    expect(parsed.spec).toMatchObject({
      pipeline: "shop",
      command: "node",
      args: ["server.js", "--port", "0"],
      env: [
        { name: "VERSION", value: "2.0" },
        { name: "LOG", value: "debug" },
      ],
      features: { "new-api": true },
      featuresEnv: "FEATURES",
      source: { commit: "4f2c9a1", buildUrl: "https://ci.example.com/b/1" },
    });
  });

  it("leaves out what was not given", () => {
    expect(buildRelease("shop", "v2", { image: "shop:2" })).toEqual({
      metadata: { name: "v2" },
      spec: { pipeline: "shop", image: "shop:2", env: [] },
    });
  });

  it("refuses a release that changes nothing, naming the flags", () => {
    expect(() => buildRelease("shop", "v2", { commit: "abc" })).toThrow(
      "release v2 changes nothing: give --image, --command, --args, --set-env NAME=VALUE or --features FILE",
    );
  });

  it("refuses a features file that is missing, not JSON, or not an object", () => {
    const read = files({ "bad.json": "{nope", "list.json": "[1]" });
    expect(() => buildRelease("shop", "v2", { features: "gone.json" }, read)).toThrow(
      /--features gone.json: cannot read it/,
    );
    expect(() => buildRelease("shop", "v2", { features: "bad.json" }, read)).toThrow(/--features bad.json: not JSON/);
    expect(() => buildRelease("shop", "v2", { features: "list.json" }, read)).toThrow(/must hold a JSON object/);
  });
});

describe("releaseCreateCommand", () => {
  const stored = {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Release",
    metadata: { name: "v2", creationTimestamp: "2026-12-04T08:00:00Z", annotations: { "sluice.dev/created-by": "ci" } },
    spec: { pipeline: "shop", env: [{ name: "VERSION", value: "2.0" }], featuresEnv: "SLUICE_FEATURES" },
  };

  it("posts the release and prints who created it and when, as the server recorded them", async () => {
    const { api, sent } = fakeApi({ "POST /releases": { status: 201, body: stored } });
    const out = captureOutput();
    await releaseCreateCommand(api, "shop", "v2", { setEnv: ["VERSION=2.0"] }, out);
    expect(sent.at(-1)?.body).toEqual({
      metadata: { name: "v2" },
      spec: { pipeline: "shop", env: [{ name: "VERSION", value: "2.0" }] },
    });
    expect(out.stdout).toEqual([
      'release "v2" created for pipeline shop by ci at 2026-12-04T08:00:00Z: env VERSION=2.0',
    ]);
  });

  it("says unchanged when the same release exists already", async () => {
    const { api } = fakeApi({ "GET /releases/v2": { body: stored }, "POST /releases": { body: stored } });
    const out = captureOutput();
    await releaseCreateCommand(api, "shop", "v2", { setEnv: ["VERSION=2.0"] }, out);
    expect(out.stdout[0]).toMatch(/^release "v2" unchanged \(created by ci at .*; releases never change\)$/);
  });
});
