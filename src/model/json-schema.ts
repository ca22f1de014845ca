import { z } from "zod";
import type { ResourceKind } from "./resource.js";
import { RESOURCE_SCHEMAS } from "./validate.js";

/** A JSON Schema document as zod produces it. */
export type JsonSchema = z.core.JSONSchema.BaseSchema;

/**
 * The JSON Schema of what users may write for a resource kind (the input side: fields with
 * defaults are optional). `openapi-3.0` is the dialect Kubernetes CRDs take.
 */
export function jsonSchemaFor(kind: ResourceKind, opts: { target?: "draft-2020-12" | "openapi-3.0" } = {}): JsonSchema {
  return z.toJSONSchema(RESOURCE_SCHEMAS[kind], { io: "input", target: opts.target ?? "draft-2020-12" });
}
