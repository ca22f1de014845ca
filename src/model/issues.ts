import type { z } from "zod";
import type { PathSegment } from "./errors.js";

/** A validation problem with one field, before it is placed in a file. */
export interface FieldIssue {
  path: PathSegment[];
  message: string;
}

type Issue = z.core.$ZodIssue;

/** The parts of zod's schema definitions the walk below reads. */
interface SchemaDef {
  type: string;
  shape?: Record<string, z.core.$ZodType>;
  innerType?: z.core.$ZodType;
  in?: z.core.$ZodType;
  element?: z.core.$ZodType;
  valueType?: z.core.$ZodType;
  options?: z.core.$ZodType[];
  getter?: () => z.core.$ZodType;
}

function defOf(schema: z.core.$ZodType): SchemaDef {
  return schema._zod.def as unknown as SchemaDef;
}

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "nonoptional", "catch", "readonly"]);

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = def.in;
    else if (def.type === "lazy" && def.getter) s = def.getter();
    else break;
  }
  return s;
}

function shapeKeys(schema: z.core.$ZodType): string[] | undefined {
  const def = defOf(unwrap(schema));
  return def.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
}

function child(schema: z.core.$ZodType, seg: PathSegment): z.core.$ZodType | undefined {
  const def = defOf(unwrap(schema));
  switch (def.type) {
    case "object":
      return def.shape?.[String(seg)];
    case "array":
      return def.element;
    case "record":
      return def.valueType;
    case "union":
      // A union of objects: follow the option that declares this key.
      for (const option of def.options ?? []) {
        if (shapeKeys(option)?.includes(String(seg))) return child(option, seg);
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The field names the schema allows at `path` (for a union of objects, those of every option). */
export function allowedKeysAt(root: z.core.$ZodType, path: readonly PathSegment[]): string[] {
  let s: z.core.$ZodType | undefined = root;
  for (const seg of path) {
    if (s === undefined) return [];
    s = child(s, seg);
  }
  if (s === undefined) return [];
  const def = defOf(unwrap(s));
  if (def.type === "union") return [...new Set((def.options ?? []).flatMap((o) => shapeKeys(o) ?? []))];
  return shapeKeys(s) ?? [];
}

/** True when `path` ends at a union whose every option is an object with a single field (like canary steps). */
function isSingleKeyUnion(root: z.core.$ZodType, path: readonly PathSegment[]): boolean {
  let s: z.core.$ZodType | undefined = root;
  for (const seg of path) s = s === undefined ? undefined : child(s, seg);
  if (s === undefined) return false;
  const def = defOf(unwrap(s));
  return def.type === "union" && (def.options ?? []).every((o) => shapeKeys(o)?.length === 1);
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] ?? 0;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(up + 1, (prev[j - 1] ?? 0) + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length] ?? 0;
}

/** ` (did you mean "replicas"?)` when a known field is a likely typo of `key`, else "". */
export function suggestion(key: string, known: readonly string[]): string {
  const limit = key.length <= 4 ? 1 : 2;
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = name.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, name);
    if (d <= limit && (best === undefined || d < best.d)) best = { name, d };
  }
  return best ? ` (did you mean "${best.name}"?)` : "";
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The JSON type name users see in `expected number, got string`. */
export function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (isPlainObject(v)) return "mapping";
  if (typeof v === "number" && !Number.isInteger(v)) return `number ${v}`;
  return typeof v;
}

const EXPECTED_NAMES: Record<string, string> = { int: "integer", object: "mapping", array: "list", record: "mapping" };

function expectedName(e: string): string {
  return EXPECTED_NAMES[e] ?? e;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) {
    if (Array.isArray(v) && typeof seg === "number") v = v[seg];
    else if (isPlainObject(v)) v = v[String(seg)];
    else return undefined;
  }
  return v;
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}

function bound(origin: string, n: number | bigint, inclusive: boolean | undefined, small: boolean): string {
  if (origin === "string") {
    if (small && n === 1) return "must not be empty";
    return small ? `must be at least ${n} characters long` : `must be at most ${n} characters long`;
  }
  if (origin === "array" || origin === "set") {
    const items = n === 1 ? "item" : "items";
    return small ? `must have at least ${n} ${items}` : `must have at most ${n} ${items}`;
  }
  if (small) return inclusive === false ? `must be greater than ${n}` : `must be at least ${n}`;
  return inclusive === false ? `must be less than ${n}` : `must be at most ${n}`;
}

/**
 * Passed to zod's `safeParse` so messages read well: `expected number, got string`,
 * `required field is missing`, `must be at least 0, got -1`. Messages a schema sets itself win.
 */
export const friendlyMessages: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case "invalid_type":
      if (iss.input === undefined) return "required field is missing";
      return `expected ${expectedName(iss.expected)}, got ${typeName(iss.input)}`;
    case "too_small":
      return bound(iss.origin, iss.minimum, iss.inclusive, true);
    case "too_big":
      return bound(iss.origin, iss.maximum, iss.inclusive, false);
    case "invalid_format":
      if (iss.format === "url") return "must be an http:// or https:// URL";
      if (iss.format === "starts_with") return `must start with ${JSON.stringify(iss.prefix)}`;
      if (iss.format === "regex") return `must match ${iss.pattern}`;
      return `must be a valid ${iss.format}`;
    case "invalid_value":
      return `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return undefined;
  }
};

const SHOWS_VALUE = new Set(["too_small", "too_big", "invalid_format", "invalid_value"]);

/** `, got "5 minutes"`: the offending scalar, so a user can find it even in a long list. */
function gotValue(issue: Issue, value: unknown): string {
  if (!SHOWS_VALUE.has(issue.code)) return "";
  if (typeof value !== "number" && typeof value !== "string") return "";
  return `, got ${JSON.stringify(value)}`;
}

/**
 * Turns zod issues into one message per field: unknown keys one by one with a did-you-mean, and a
 * failed union reduced to the option the user evidently meant (or to the list of allowed kinds).
 */
export function translateIssues(
  issues: readonly Issue[],
  root: z.core.$ZodType,
  input: unknown,
  base: readonly PathSegment[] = [],
): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === "unrecognized_keys") {
      const known = allowedKeysAt(root, path);
      for (const key of issue.keys)
        out.push({ path: [...path, key], message: `unknown field "${key}"${suggestion(key, known)}` });
    } else if (issue.code === "invalid_union") {
      out.push(...translateUnion(issue, path, root, input));
    } else {
      out.push({ path, message: issue.message + gotValue(issue, valueAt(input, path)) });
    }
  }
  const seen = new Set<string>();
  return out.filter((i) => {
    const key = `${JSON.stringify(i.path)} ${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function translateUnion(
  issue: Extract<Issue, { code: "invalid_union" }>,
  path: PathSegment[],
  root: z.core.$ZodType,
  input: unknown,
): FieldIssue[] {
  const value = valueAt(input, path);
  const options = issue.errors;
  if (options.length === 0) return [{ path, message: issue.message }];
  // An option "does not fit" when the value has the wrong type, a field the option lacks, or lacks the option's required field.
  const misfit = (i: Issue) =>
    (i.path.length === 0 && (i.code === "invalid_type" || i.code === "unrecognized_keys")) ||
    (i.path.length === 1 && i.code === "invalid_type" && isPlainObject(value) && !(String(i.path[0]) in value));
  const fitting = options.filter((o) => !o.some(misfit));
  if (fitting.length > 0) {
    const best = fitting.reduce((a, b) => (b.length < a.length ? b : a));
    return translateIssues(best, root, input, path);
  }
  if (value === undefined) return [{ path, message: "required field is missing" }];
  if (!isSingleKeyUnion(root, path)) {
    const expected = [
      ...new Set(options.flatMap((o) => o.filter((i) => i.code === "invalid_type" && i.path.length === 0))),
    ].map((i) => expectedName((i as Extract<Issue, { code: "invalid_type" }>).expected));
    if (expected.length > 0)
      return [{ path, message: `expected ${orList([...new Set(expected)])}, got ${typeName(value)}` }];
    const best = options.reduce((a, b) => (b.length < a.length ? b : a));
    return translateIssues(best, root, input, path);
  }
  const kinds = allowedKeysAt(root, path);
  const allowed = `expected exactly one of ${kinds.join(", ")}`;
  if (!isPlainObject(value))
    return [{ path, message: `expected a mapping with exactly one of ${kinds.join(", ")}, got ${typeName(value)}` }];
  const keys = Object.keys(value);
  const present = keys.filter((k) => kinds.includes(k));
  const unknown = keys.filter((k) => !kinds.includes(k));
  if (present.length >= 2) return [{ path, message: `${allowed}; found ${present.join(" and ")}` }];
  if (unknown.length > 0)
    return unknown.map((k) => ({
      path: [...path, k],
      message: `unknown field "${k}"${suggestion(k, kinds)}${present.length === 0 ? `; ${allowed}` : ""}`,
    }));
  return [{ path, message: allowed }];
}
