import { z } from "zod";
import { MAX_NAME_LENGTH } from "./limits.js";

// As Kubernetes accepts for container env names: no "=", no spaces, no control characters.
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Variables that change how a program starts or finds its files; a port number must never land in them. */
const RESERVED_NAMES = new Set([
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "SHELL",
  "PWD",
  "TMPDIR",
  "IFS",
  "ENV",
  "BASH_ENV",
  "PYTHONPATH",
  "PYTHONSTARTUP",
  "PERL5LIB",
  "RUBYOPT",
  "JAVA_TOOL_OPTIONS",
]);
const RESERVED_PREFIXES = ["LD_", "DYLD_", "NODE_"];

/** True for a variable the port must not be passed in (PATH, LD_PRELOAD, NODE_OPTIONS ...). */
export function isReservedEnvName(name: string): boolean {
  const upper = name.toUpperCase();
  return RESERVED_NAMES.has(upper) || RESERVED_PREFIXES.some((p) => upper.startsWith(p));
}

/** A string handed to a process (argv, env value, cwd): the OS would cut it at a NUL byte, so none is allowed. */
export const ProcessString = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes("\0"), "must not contain a NUL byte");

/** An environment variable name. */
export const EnvName = () =>
  z
    .string()
    .min(1)
    .max(MAX_NAME_LENGTH)
    .regex(ENV_NAME, 'must be a variable name: letters, digits, "_", "-" or ".", not starting with a digit');

/** The variable a replica reads its port from: a plain variable, never one that changes how programs start. */
export const PortEnvName = () =>
  EnvName().check((ctx) => {
    if (isReservedEnvName(ctx.value))
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: `${ctx.value} is reserved (it changes how programs start or find files); name a plain variable such as PORT`,
      });
  });
