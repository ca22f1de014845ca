import { describe, expect, it } from "vitest";
import { MAX_DOCUMENT_BYTES } from "../model/limits.js";
import { createApi } from "./app.js";
import { MAX_YAML_BODY_BYTES } from "./body.js";
import type { ApiErrorBody } from "./errors.js";
import { FakeControlPlane, rolloutManifest } from "./testing.js";

const TOKEN = "a".repeat(64);

function setup() {
  const control = new FakeControlPlane();
  const app = createApi({ control, token: TOKEN, version: "1.2.3" });
  const apply = (body: string | Uint8Array, type = "application/json") =>
    app.request("/api/v1/apply", {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": type },
      body,
    });
  return { control, apply };
}

async function errorOf(res: Response): Promise<ApiErrorBody["error"]> {
  return ((await res.json()) as ApiErrorBody).error;
}

describe("apply request bodies", () => {
  it("answers 413 with one line for a JSON body over 1 MiB", async () => {
    const { control, apply } = setup();
    const padding = "x".repeat(MAX_DOCUMENT_BYTES);
    const res = await apply(JSON.stringify({ resources: [rolloutManifest("web")], padding }));
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toEqual({
      code: "TooLarge",
      message: "the request body is larger than 1 MiB; apply fewer resources per request",
    });
    expect(control.mutations).toBe(0);
  });

  it("holds YAML bodies to 256 KiB, since parsing YAML runs on the controller's event loop", async () => {
    const { apply } = setup();
    const res = await apply(`# ${"x".repeat(MAX_YAML_BODY_BYTES)}\n`, "application/yaml");
    expect(res.status).toBe(413);
    expect((await errorOf(res)).message).toBe(
      "the request body is larger than 256 KiB; apply fewer resources per request",
    );
  });

  it("answers 400 for JSON nested 100,000 deep, before parsing it", async () => {
    const { control, apply } = setup();
    const deep = `{"resources": [${"[".repeat(100_000)}${"]".repeat(100_000)}]}`;
    const started = performance.now();
    const res = await apply(deep);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe(
      "the request body is nested deeper than 64 levels; no Sluice resource needs that many",
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(control.mutations).toBe(0);
  });

  it("answers 400 for a YAML document nested 100,000 deep (the issue's 200 KB of brackets)", async () => {
    const { apply } = setup();
    const res = await apply(`a: ${"[".repeat(100_000)}${"]".repeat(100_000)}`, "application/yaml");
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe(
      "request:1 nested deeper than 64 levels; no Sluice resource needs that many",
    );
  });

  it("refuses bytes that are not UTF-8 instead of replacing them", async () => {
    const { apply } = setup();
    const body = Buffer.concat([Buffer.from('{"resources": ["'), Buffer.from([0xff]), Buffer.from('"]}')]);
    const res = await apply(body);
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe("the request body is not valid UTF-8; save it as UTF-8");
  });

  it("still applies an ordinary body", async () => {
    const { control, apply } = setup();
    expect((await apply(JSON.stringify({ resources: [rolloutManifest("web")] }))).status).toBe(200);
    expect(control.resources.size).toBe(1);
  });
});
