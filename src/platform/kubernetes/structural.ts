/**
 * Turns the JSON Schema zod produces (OpenAPI 3.0 dialect) into a *structural* schema, the form
 * apiextensions.k8s.io/v1 accepts: every node typed, no types inside anyOf/oneOf, no $ref, and
 * additionalProperties only as a value schema. Rules a union expressed are kept as CEL
 * `x-kubernetes-validations` where they can be; the rest is left to the controller's zod validation.
 */

/** One node of a JSON Schema or of the structural schema made from it. */
export type SchemaNode = { [key: string]: unknown };

/** A JSON Schema that cannot be made structural; `path` is where in the schema (e.g. `spec.strategy`). */
export class StructuralSchemaError extends Error {
  override readonly name = "StructuralSchemaError";
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path || "<root>"}: ${message}`, options);
  }
}

/** Options of {@link toStructural}. */
export interface StructuralOptions {
  /**
   * Paths whose objects keep fields the schema does not list (a pod spec, say). Property names
   * joined with dots, `[]` for array items: `spec.template.spec`, `spec.template.spec.containers[]`.
   */
  preserveUnknownFields?: string[];
  /** Extra CEL rules by the same kind of path, for checks the JSON Schema cannot express. */
  validations?: Record<string, CelRule[]>;
  /** maxLength given to int-or-string fields that get a CEL rule, so its cost estimate stays bounded (default 64). */
  intOrStringMaxLength?: number;
  /**
   * maxItems given to an unbounded array whose items carry CEL rules (default 100). Without a bound
   * the API server estimates millions of items and refuses the rules as too costly.
   */
  maxItemsWithRules?: number;
}

/** A CEL rule as `x-kubernetes-validations` takes it. */
export interface CelRule {
  rule: string;
  message?: string;
}

// The keys of Kubernetes' JSONSchemaProps we pass through; anything else ($schema, examples...) is dropped.
const KEPT = new Set([
  "type",
  "format",
  "title",
  "description",
  "default",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "maxLength",
  "minLength",
  "pattern",
  "maxItems",
  "minItems",
  "multipleOf",
  "enum",
  "maxProperties",
  "minProperties",
  "required",
  "items",
  "properties",
  "additionalProperties",
  "nullable",
  "example",
]);

// Formats the API server knows; zod's own (e.g. `starts_with`, which zod also writes as a pattern) are dropped.
const KNOWN_FORMATS = new Set([
  "bsonobjectid",
  "uri",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "cidr",
  "mac",
  "uuid",
  "uuid3",
  "uuid4",
  "uuid5",
  "byte",
  "password",
  "date",
  "duration",
  "datetime",
  "date-time",
  "int32",
  "int64",
  "float",
  "double",
]);

// zod bounds every integer by the JS safe range; int64 needs no such bound and it only adds noise.
const SAFE_INT = Number.MAX_SAFE_INTEGER;

interface Ctx {
  root: SchemaNode;
  opts: StructuralOptions;
  resolving: Set<string>;
}

const isNode = (v: unknown): v is SchemaNode => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Returns a structural copy of `schema`. What it does, node by node: inlines `$ref`s to `$defs` or
 * `definitions`; turns `const` into a one-value `enum`; collapses unions (integer|string becomes
 * `x-kubernetes-int-or-string` with a CEL rule holding the branches' checks; a union of objects
 * becomes one object with every branch's properties optional and a CEL "exactly one" rule); marks
 * open objects and untyped values `x-kubernetes-preserve-unknown-fields`; drops
 * `additionalProperties: false`, unknown formats, safe-integer bounds and keywords Kubernetes lacks.
 * Throws {@link StructuralSchemaError} for what it cannot express (e.g. a union of an object and a string).
 */
export function toStructural(schema: SchemaNode, opts: StructuralOptions = {}): SchemaNode {
  return convert(schema, "", { root: schema, opts, resolving: new Set() });
}

function convert(input: SchemaNode, path: string, ctx: Ctx, branch = false): SchemaNode {
  const ref = typeof input.$ref === "string" ? input.$ref : undefined;
  if (ref === undefined) return convertResolved(input, path, ctx, branch);
  // A recursive type has no finite inlined form.
  if (ctx.resolving.has(ref)) throw new StructuralSchemaError(path, `recursive $ref ${ref} cannot be inlined`);
  ctx.resolving.add(ref);
  try {
    return convert(resolveRef(input, ref, path, ctx), path, ctx, branch);
  } finally {
    ctx.resolving.delete(ref);
  }
}

function convertResolved(node: SchemaNode, path: string, ctx: Ctx, branch: boolean): SchemaNode {
  const unions = [node.anyOf, node.oneOf].filter((u) => u !== undefined);
  if (node.allOf !== undefined || node.not !== undefined)
    throw new StructuralSchemaError(path, "allOf and not cannot be made structural");
  let out: SchemaNode;
  if (unions.length > 0) {
    if (unions.length > 1 || !Array.isArray(unions[0]))
      throw new StructuralSchemaError(path, "expected one anyOf/oneOf list");
    out = collapseUnion(node, unions[0] as unknown[], path, ctx);
  } else {
    out = convertPlain(node, path, ctx);
  }
  if (branch) return out;
  if (ctx.opts.preserveUnknownFields?.includes(path)) out["x-kubernetes-preserve-unknown-fields"] = true;
  const extra = ctx.opts.validations?.[path];
  if (extra?.length) addRules(out, extra);
  return out;
}

/** The node a `$ref` points at, with the referring node's own keywords (e.g. description) laid over it. */
function resolveRef(node: SchemaNode, ref: string, path: string, ctx: Ctx): SchemaNode {
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const target = m ? (ctx.root[m[1] as string] as SchemaNode | undefined)?.[m[2] as string] : undefined;
  if (!isNode(target)) throw new StructuralSchemaError(path, `cannot resolve $ref ${ref}`);
  const { $ref: _ref, ...siblings } = node;
  return { ...target, ...siblings };
}

function convertPlain(node: SchemaNode, path: string, ctx: Ctx): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("x-kubernetes-")) out[key] = value;
    else if (key === "const") out.enum = [value];
    else if (key === "format") {
      if (typeof value === "string" && KNOWN_FORMATS.has(value)) out.format = value;
    } else if ((key === "minimum" || key === "maximum") && Math.abs(value as number) === SAFE_INT) {
      // dropped: see SAFE_INT
    } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      // Draft 2020-12 writes the bound itself; OpenAPI 3.0 (and Kubernetes) a boolean beside minimum/maximum.
      if (typeof value === "number") {
        out[key === "exclusiveMinimum" ? "minimum" : "maximum"] = value;
        out[key] = true;
      } else if (value === true) out[key] = true;
    } else if (KEPT.has(key)) out[key] = value;
  }
  if (out.type === undefined && node.const !== undefined) out.type = jsonType(node.const);
  if (out.type === undefined && node.enum !== undefined) out.type = enumType(node.enum, path);
  if (Array.isArray(out.type)) throw new StructuralSchemaError(path, "a list of types is not structural");

  if (out.properties !== undefined || out.additionalProperties !== undefined) out.type ??= "object";
  if (out.type === "object") convertObject(out, path, ctx);
  else if (out.type === "array") {
    if (!isNode(out.items)) throw new StructuralSchemaError(path, "arrays need a single items schema");
    out.items = convert(out.items, `${path}[]`, ctx);
    if (out.maxItems === undefined && hasRules(out.items)) out.maxItems = ctx.opts.maxItemsWithRules ?? 100;
  } else if (out.type === undefined) {
    // An untyped value (z.unknown(), z.any()) is any JSON: keep it as written.
    if (out.enum === undefined) out["x-kubernetes-preserve-unknown-fields"] = true;
  }
  return out;
}

function convertObject(out: SchemaNode, path: string, ctx: Ctx): void {
  if (out.properties !== undefined) {
    const props: SchemaNode = {};
    for (const [name, sub] of Object.entries(out.properties as SchemaNode)) {
      if (!isNode(sub)) throw new StructuralSchemaError(join(path, name), "property schema must be an object");
      props[name] = convert(sub, join(path, name), ctx);
    }
    out.properties = props;
  }
  const extra = out.additionalProperties;
  delete out.additionalProperties;
  // `false` is the default once the API server prunes; Kubernetes forbids writing it.
  if (extra === undefined || extra === false) return;
  const open = extra === true || (isNode(extra) && Object.keys(extra).length === 0);
  if (open) out["x-kubernetes-preserve-unknown-fields"] = true;
  else if (out.properties !== undefined)
    throw new StructuralSchemaError(path, "properties and a typed additionalProperties cannot be combined");
  else if (isNode(extra)) out.additionalProperties = convert(extra, `${path}{}`, ctx);
  else throw new StructuralSchemaError(path, "additionalProperties must be a boolean or a schema");
}

function collapseUnion(node: SchemaNode, rawBranches: unknown[], path: string, ctx: Ctx): SchemaNode {
  const { anyOf: _a, oneOf: _o, ...outer } = node;
  let nullable = node.nullable === true;
  const branches: SchemaNode[] = [];
  for (const raw of rawBranches) {
    if (!isNode(raw)) throw new StructuralSchemaError(path, "union branches must be schemas");
    const b = convert(raw, path, ctx, true);
    if (b.type === "null") nullable = true;
    else branches.push(b);
  }
  let out: SchemaNode;
  const types = new Set(branches.map((b) => b.type));
  if (branches.length === 1) out = branches[0] as SchemaNode;
  else if (types.size === 1 && types.has("object")) out = mergeObjects(branches, path);
  else if (types.size === 1 && branches.every((b) => Array.isArray(b.enum) && Object.keys(b).length === 2))
    out = { type: branches[0]?.type, enum: branches.flatMap((b) => b.enum as unknown[]) };
  else if (types.size === 2 && types.has("string") && types.has("integer")) out = intOrString(branches, ctx);
  else throw new StructuralSchemaError(path, `a union of ${[...types].join(", ")} cannot be made structural`);
  if (nullable) out.nullable = true;
  for (const key of ["default", "description", "title"]) if (outer[key] !== undefined) out[key] = outer[key];
  return out;
}

function mergeObjects(branches: SchemaNode[], path: string): SchemaNode {
  const properties: SchemaNode = {};
  let open = false;
  for (const b of branches) {
    if (b["x-kubernetes-preserve-unknown-fields"]) open = true;
    for (const [name, sub] of Object.entries((b.properties as SchemaNode | undefined) ?? {})) {
      if (name in properties && JSON.stringify(properties[name]) !== JSON.stringify(sub))
        throw new StructuralSchemaError(join(path, name), "union branches give this property different schemas");
      properties[name] = sub;
    }
  }
  const out: SchemaNode = { type: "object", properties };
  if (open) out["x-kubernetes-preserve-unknown-fields"] = true;
  // Each branch is identified by the fields it requires; a branch requiring none can't be told apart.
  const keys = branches.map((b) => (b.required as string[] | undefined) ?? []);
  if (keys.every((k) => k.length > 0)) {
    const conds = keys.map((k) => k.map((name) => `has(self.${name})`).join(" && "));
    const names = keys.map((k) => k.join("+"));
    addRules(out, [
      { rule: `[${conds.join(", ")}].exists_one(x, x)`, message: `set exactly one of ${listWords(names)}` },
    ]);
  }
  return out;
}

function intOrString(branches: SchemaNode[], ctx: Ctx): SchemaNode {
  const out: SchemaNode = { "x-kubernetes-int-or-string": true };
  const str = branches.find((b) => b.type === "string") ?? {};
  const int = branches.find((b) => b.type === "integer") ?? {};
  const strChecks: string[] = [];
  if (typeof str.pattern === "string") strChecks.push(`self.matches(${celString(str.pattern)})`);
  if (typeof str.minLength === "number") strChecks.push(`size(self) >= ${str.minLength}`);
  const intChecks: string[] = [];
  for (const [key, op] of [
    ["minimum", ">"],
    ["maximum", "<"],
  ] as const) {
    if (typeof int[key] === "number") {
      const exclusive = int[key === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"] === true;
      intChecks.push(`self ${op}${exclusive ? "" : "="} ${int[key]}`);
    }
  }
  if (strChecks.length + intChecks.length === 0) return out;
  // CEL's cost estimate needs a bounded string; the API server rejects rules on unbounded ones.
  out.maxLength = typeof str.maxLength === "number" ? str.maxLength : (ctx.opts.intOrStringMaxLength ?? 64);
  const s = strChecks.join(" && ") || "true";
  const i = intChecks.join(" && ") || "true";
  const what = [
    intChecks.length ? `an integer ${intChecks.map((c) => c.replace("self ", "")).join(" and ")}` : "an integer",
    typeof str.pattern === "string" ? `a string matching ${str.pattern}` : "a string",
  ];
  addRules(out, [{ rule: `type(self) == string ? ${s} : ${i}`, message: `must be ${what.join(" or ")}` }]);
  return out;
}

function hasRules(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasRules);
  if (!isNode(node)) return false;
  return Object.entries(node).some(([k, v]) => k === "x-kubernetes-validations" || hasRules(v));
}

function addRules(node: SchemaNode, rules: CelRule[]): void {
  const existing = (node["x-kubernetes-validations"] as CelRule[] | undefined) ?? [];
  node["x-kubernetes-validations"] = [...existing, ...rules];
}

/** A CEL single-quoted string literal holding `s` exactly. */
export function celString(s: string): string {
  return `'${s.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

function jsonType(v: unknown): string {
  if (Number.isInteger(v)) return "integer";
  if (v === null) return "null";
  return typeof v === "object" ? (Array.isArray(v) ? "array" : "object") : typeof v;
}

function enumType(values: unknown, path: string): string {
  const types = new Set((values as unknown[]).map(jsonType));
  if (types.size !== 1) throw new StructuralSchemaError(path, "an enum mixing types is not structural");
  return [...types][0] as string;
}

const join = (path: string, name: string) => (path ? `${path}.${name}` : name);

function listWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}
