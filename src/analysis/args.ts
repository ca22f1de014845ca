const ARG_REF = /\{\{\s*args\.([\w-]+)\s*\}\}/g;

/** The argument names a value refers to as `{{args.NAME}}`, in any string inside it. */
export function argReferences(value: unknown): string[] {
  const names = new Set<string>();
  walkStrings(value, (s) => {
    for (const m of s.matchAll(ARG_REF)) names.add(m[1] as string);
  });
  return [...names];
}

function walkStrings(value: unknown, visit: (s: string) => void): void {
  if (typeof value === "string") visit(value);
  else if (Array.isArray(value)) for (const v of value) walkStrings(v, visit);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) walkStrings(v, visit);
}

/**
 * Replaces `{{args.NAME}}` in every string inside `value` (object keys stay as they are) and
 * returns a copy. A reference to an argument not in `args` calls `missing` with the argument and
 * the field path below `path`, which must throw.
 */
export function substituteArgs<T>(
  value: T,
  args: Readonly<Record<string, string>>,
  path: string,
  missing: (name: string, field: string) => never,
): T {
  const sub = (v: unknown, at: string): unknown => {
    if (typeof v === "string")
      return v.replace(ARG_REF, (_m, name: string) => {
        if (!Object.hasOwn(args, name)) missing(name, at);
        return args[name] as string;
      });
    if (Array.isArray(v)) return v.map((x, i) => sub(x, `${at}[${i}]`));
    if (v !== null && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sub(x, at === "" ? k : `${at}.${k}`)]));
    return v;
  };
  return sub(value, path) as T;
}
