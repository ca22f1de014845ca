import { z } from "zod";
import {
  MAX_ANNOTATION_LENGTH,
  MAX_LABEL_VALUE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  Name,
  StringMap,
} from "./limits.js";
import { EnvName, ProcessString } from "./process-fields.js";

/** The API group and version every Sluice resource carries. */
export const API_VERSION = "sluice.dev/v1alpha1";

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes-style object metadata. Only the fields Sluice reads or keeps are allowed. */
export const ObjectMeta = z.strictObject({
  name: z
    .string()
    .max(63)
    .regex(NAME_RE, "must be lowercase letters, digits and '-', starting and ending with a letter or digit"),
  namespace: z.string().max(63).regex(NAME_RE).optional(),
  labels: StringMap(MAX_LABEL_VALUE_LENGTH).optional(),
  annotations: StringMap(MAX_ANNOTATION_LENGTH).optional(),
  generation: z.number().int().optional(),
  uid: z.string().max(MAX_NAME_LENGTH).optional(),
  resourceVersion: z.string().max(MAX_NAME_LENGTH).optional(),
  creationTimestamp: z.string().max(64).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

/** A Kubernetes-style condition. */
export const Condition = z.strictObject({
  type: z.string(),
  status: z.enum(["True", "False", "Unknown"]),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
});
export type Condition = z.infer<typeof Condition>;

/** An environment variable in the Kubernetes `{name, value}` shape. */
export const EnvVar = z.strictObject({ name: EnvName(), value: ProcessString(MAX_TEXT_LENGTH) });
export type EnvVar = z.infer<typeof EnvVar>;

/** A key of a Kubernetes Secret in the resource's namespace. */
export const SecretKeyRef = z.strictObject({ name: Name(), key: Name() });
export type SecretKeyRef = z.infer<typeof SecretKeyRef>;
