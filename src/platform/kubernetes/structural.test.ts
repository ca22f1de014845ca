import { describe, expect, it } from "vitest";
import { celString, type SchemaNode, StructuralSchemaError, toStructural } from "./structural.js";

const duration = {
  anyOf: [
    { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    { type: "string", pattern: "^(\\d+(ms|s|m|h))+$" },
  ],
};

/** Every node in the tree, with its path, so tests can assert a rule holds everywhere. */
function nodes(s: unknown, path = ""): [string, SchemaNode][] {
  if (typeof s !== "object" || s === null) return [];
  const n = s as SchemaNode;
  const here: [string, SchemaNode][] = [[path, n]];
  for (const [k, v] of Object.entries((n.properties as SchemaNode | undefined) ?? {}))
    here.push(...nodes(v, `${path}.${k}`));
  if (n.items) here.push(...nodes(n.items, `${path}[]`));
  if (typeof n.additionalProperties === "object") here.push(...nodes(n.additionalProperties, `${path}{}`));
  return here;
}

describe("toStructural", () => {
  it("turns an integer|string union into int-or-string with a CEL rule holding both branches' checks", () => {
    const out = toStructural({ ...duration, default: "10s" });
    expect(out).toEqual({
      "x-kubernetes-int-or-string": true,
      default: "10s",
      maxLength: 64,
      "x-kubernetes-validations": [
        {
          rule: "type(self) == string ? self.matches('^(\\\\d+(ms|s|m|h))+$') : self >= 0",
          message: "must be an integer >= 0 or a string matching ^(\\d+(ms|s|m|h))+$",
        },
      ],
    });
    expect(out).not.toHaveProperty("anyOf");
  });

  it("leaves int-or-string bare when the branches check nothing", () => {
    expect(toStructural({ anyOf: [{ type: "integer" }, { type: "string" }] })).toEqual({
      "x-kubernetes-int-or-string": true,
    });
  });

  it("merges a union of objects into one object with optional properties and an exactly-one rule", () => {
    const out = toStructural({
      type: "array",
      items: {
        anyOf: [
          {
            type: "object",
            properties: { setWeight: { type: "integer", maximum: 100 } },
            required: ["setWeight"],
            additionalProperties: false,
          },
          {
            type: "object",
            properties: { pause: { type: "object", properties: { duration } } },
            required: ["pause"],
            additionalProperties: false,
          },
        ],
      },
    });
    const items = out.items as SchemaNode;
    expect(items.type).toBe("object");
    expect(items.required).toBeUndefined();
    expect(Object.keys(items.properties as SchemaNode)).toEqual(["setWeight", "pause"]);
    expect(items["x-kubernetes-validations"]).toEqual([
      {
        rule: "[has(self.setWeight), has(self.pause)].exists_one(x, x)",
        message: "set exactly one of setWeight or pause",
      },
    ]);
    // Rules inside unbounded lists are refused as too costly, so the list gets a bound.
    expect(out.maxItems).toBe(100);
  });

  it("refuses a union whose branches give one property different schemas", () => {
    const branch = (type: string) => ({ type: "object", properties: { a: { type } }, required: ["a"] });
    expect(() => toStructural({ properties: { x: { anyOf: [branch("string"), branch("integer")] } } })).toThrow(
      StructuralSchemaError,
    );
  });

  it("refuses a union it cannot express, naming where", () => {
    expect(() =>
      toStructural({ type: "object", properties: { v: { anyOf: [{ type: "object" }, { type: "boolean" }] } } }),
    ).toThrow(/^v: a union of object, boolean/);
  });

  it("folds a nullable branch into nullable and unions of enums into one enum", () => {
    expect(toStructural({ anyOf: [{ type: "string" }, { type: "null" }] })).toEqual({ type: "string", nullable: true });
    expect(
      toStructural({
        anyOf: [
          { type: "string", enum: ["a"] },
          { type: "string", enum: ["b"] },
        ],
      }),
    ).toEqual({
      type: "string",
      enum: ["a", "b"],
    });
  });

  it("inlines $refs and refuses recursive ones", () => {
    const out = toStructural({
      type: "object",
      properties: { a: { $ref: "#/$defs/Name" }, b: { $ref: "#/definitions/Name", description: "b" } },
      $defs: { Name: { type: "string", minLength: 1 } },
      definitions: { Name: { type: "string", minLength: 1 } },
    });
    expect(out).toEqual({
      type: "object",
      properties: { a: { type: "string", minLength: 1 }, b: { type: "string", minLength: 1, description: "b" } },
    });
    const recursive = { type: "object", properties: { next: { $ref: "#/$defs/Node" } }, $defs: {} as SchemaNode };
    recursive.$defs.Node = { type: "object", properties: { next: { $ref: "#/$defs/Node" } } };
    expect(() => toStructural(recursive)).toThrow(/recursive \$ref/);
  });

  it("drops additionalProperties: false, keeps maps, and preserves unknown fields of open objects", () => {
    const out = toStructural({
      type: "object",
      additionalProperties: false,
      properties: {
        labels: { type: "object", additionalProperties: { type: "string" } },
        pod: {
          type: "object",
          properties: { containers: { type: "array", items: { type: "object" } } },
          additionalProperties: {},
        },
        anything: {},
      },
    });
    expect(out).not.toHaveProperty("additionalProperties");
    const props = out.properties as Record<string, SchemaNode>;
    expect(props.labels).toEqual({ type: "object", additionalProperties: { type: "string" } });
    expect(props.pod?.["x-kubernetes-preserve-unknown-fields"]).toBe(true);
    expect(props.anything).toEqual({ "x-kubernetes-preserve-unknown-fields": true });
  });

  it("refuses properties together with a typed additionalProperties", () => {
    expect(() =>
      toStructural({ type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "string" } }),
    ).toThrow(/cannot be combined/);
  });

  it("turns const into enum, drops unknown keywords and formats, and the JS safe-integer bounds", () => {
    const out = toStructural({
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        kind: { const: "Rollout" },
        path: { type: "string", format: "starts_with", pattern: "^/" },
        url: { type: "string", format: "uri" },
        n: { type: "integer", minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, examples: [1] },
        p: { type: "number", exclusiveMinimum: 0 },
      },
    });
    expect(out).not.toHaveProperty("$schema");
    expect(out.properties).toEqual({
      kind: { type: "string", enum: ["Rollout"] },
      path: { type: "string", pattern: "^/" },
      url: { type: "string", format: "uri" },
      n: { type: "integer" },
      p: { type: "number", minimum: 0, exclusiveMinimum: true },
    });
  });

  it("applies preserveUnknownFields and extra CEL rules by path", () => {
    const out = toStructural(
      { type: "object", properties: { spec: { type: "object", properties: { a: { type: "string" } } } } },
      {
        preserveUnknownFields: ["spec"],
        validations: { spec: [{ rule: "has(self.a)", message: "a is required" }] },
      },
    );
    expect((out.properties as Record<string, SchemaNode>).spec).toMatchObject({
      "x-kubernetes-preserve-unknown-fields": true,
      "x-kubernetes-validations": [{ rule: "has(self.a)", message: "a is required" }],
    });
  });

  it("leaves no union, $ref or untyped node behind", () => {
    const out = toStructural({
      type: "object",
      properties: { d: duration, list: { type: "array", items: { anyOf: [{ type: "integer" }, { type: "string" }] } } },
    });
    for (const [path, n] of nodes(out)) {
      expect(n, path).not.toHaveProperty("anyOf");
      expect(n, path).not.toHaveProperty("$ref");
      const typed =
        n.type !== undefined || n["x-kubernetes-int-or-string"] || n["x-kubernetes-preserve-unknown-fields"];
      expect(typed, path).toBeTruthy();
    }
  });
});

describe("celString", () => {
  it("escapes backslashes and quotes", () => {
    expect(celString("a\\d'b")).toBe("'a\\\\d\\'b'");
  });
});
