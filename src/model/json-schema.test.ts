import { describe, expect, it } from "vitest";
import { jsonSchemaFor } from "./json-schema.js";
import { RESOURCE_KINDS } from "./validate.js";

type Props = { type?: string; properties?: Record<string, Props>; required?: string[]; additionalProperties?: unknown };

describe("jsonSchemaFor", () => {
  it.each(RESOURCE_KINDS)("gives an object schema with spec properties for %s", (kind) => {
    const schema = jsonSchemaFor(kind) as Props;
    expect(schema.type).toBe("object");
    expect(schema.required).toEqual(expect.arrayContaining(["apiVersion", "kind", "metadata", "spec"]));
    expect(schema.properties?.spec?.type).toBe("object");
    expect(Object.keys(schema.properties?.spec?.properties ?? {}).length).toBeGreaterThan(0);
  });

  it("describes the input side: fields with defaults are not required", () => {
    const spec = (jsonSchemaFor("Rollout") as Props).properties?.spec;
    expect(spec?.properties).toHaveProperty("replicas");
    expect(spec?.required).toEqual(expect.arrayContaining(["template", "strategy"]));
    expect(spec?.required).not.toContain("replicas");
    expect(spec?.additionalProperties).toBe(false);
  });

  it("can target OpenAPI 3.0 for CRDs", () => {
    const schema = jsonSchemaFor("AnalysisTemplate", { target: "openapi-3.0" }) as Props & { $schema?: string };
    expect(schema.$schema).toBeUndefined();
    expect(schema.properties?.spec?.properties).toHaveProperty("metrics");
  });
});
