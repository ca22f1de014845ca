import { z } from "zod";

/** The API group and version every Sluice resource carries. */
export const API_VERSION = "sluice.dev/v1alpha1";

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes-style object metadata. Only the fields Sluice reads or keeps are allowed. */
export const ObjectMeta = z.strictObject({
  name: z
    .string()
    .max(63)
    .regex(NAME_RE, "must be lowercase letters, digits and '-', starting and ending with a letter or digit"),
  namespace: z.string().regex(NAME_RE).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  generation: z.number().int().optional(),
  uid: z.string().optional(),
  resourceVersion: z.string().optional(),
  creationTimestamp: z.string().optional(),
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
export const EnvVar = z.strictObject({ name: z.string().min(1), value: z.string() });
export type EnvVar = z.infer<typeof EnvVar>;

/** A key of a Kubernetes Secret in the resource's namespace. */
export const SecretKeyRef = z.strictObject({ name: z.string().min(1), key: z.string().min(1) });
export type SecretKeyRef = z.infer<typeof SecretKeyRef>;
