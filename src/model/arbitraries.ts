/**
 * fast-check generators of hostile manifests, for the property tests and bench/fuzz-lint.ts (test
 * support: imports fast-check, a dev dependency). A case starts from a real manifest (the shipped
 * examples) so most of it is valid, then overwrites, deletes or adds a few fields with hostile
 * values, and sometimes damages the text itself, so that every check deep inside a resource is
 * reached, not only the first one.
 */
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { parseAllDocuments, stringify } from "yaml";

const SPECIAL_NUMBERS = [
  0,
  -1,
  1,
  2,
  100,
  101,
  200,
  201,
  3600,
  3601,
  10_000,
  10_001,
  65_535,
  65_536,
  1e9,
  1e12,
  1e21,
  1e308,
  -1e308,
  0.5,
  1e-9,
  2 ** 31,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
];

/** Numbers at and past every bound, and any double. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...SPECIAL_NUMBERS),
  fc.integer(),
  fc.double(),
);

const SPECIAL_STRINGS = [
  "",
  " ",
  "\0",
  "node\0--inspect",
  "__proto__",
  "constructor",
  "99999999999999999999h",
  "8761h",
  "1h30m",
  "30s",
  "250ms",
  "5 minutes",
  "25%",
  "999%",
  "(a+)+$",
  "(",
  "{{args.nope}}",
  "{{args.service}}",
  "file:///etc/passwd",
  "http://127.0.0.1:9/x",
  "javascript:alert(1)",
  "PATH",
  "LD_PRELOAD",
  "NODE_OPTIONS",
  "A=B",
  "result >= 0.99",
  "result.matches('^(a|a)*$')",
  "é\u2028\uFEFF",
  "\uD800",
  "$HOME/../etc",
  "x".repeat(300),
  "x".repeat(70_000),
];

/** Strings that trip a check: reserved names, NULs, huge durations, URLs, regexes, very long text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SPECIAL_STRINGS),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);

/** `depth` levels of alternating lists and maps, around a leaf. */
function nest(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v };
  return v;
}

const leaf = fc.oneof(hostileNumber, hostileString, fc.boolean(), fc.constant(null));

const KEYS = ["__proto__", "constructor", "prototype", "replicas", "bogus", "name", "duration"];

/** A mapping with unknown, reserved or misspelled keys. */
const oddMapping = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), leaf), { maxLength: 3 })
  .map((entries) => {
    const o: Record<string, unknown> = {};
    // defineProperty, so "__proto__" becomes a real key as a parser would make it.
    for (const [k, v] of entries)
      Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    return o;
  });

/** Any value a field could be given: scalars, lists, odd mappings, and nesting up to 300 deep. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: leaf },
  { weight: 1, arbitrary: fc.array(leaf, { maxLength: 3 }) },
  { weight: 1, arbitrary: oddMapping },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 300 }), leaf).map(([d, l]) => nest(d, l)) },
);

type Path = (string | number)[];

/** Every path to a value inside `root` (containers included), found without recursion. */
function pathsOf(root: unknown): Path[] {
  const out: Path[] = [];
  const stack: [unknown, Path][] = [[root, []]];
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, Path];
    out.push(path);
    if (Array.isArray(v)) for (const [i, x] of v.entries()) stack.push([x, [...path, i]]);
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) stack.push([x, [...path, k]]);
  }
  return out;
}

interface Mutation {
  at: number;
  op: "set" | "delete" | "add";
  key: string;
  value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("set", "set", "delete", "add"),
  key: fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })),
  value: hostileValue,
});

function applyMutation(root: unknown, m: Mutation): unknown {
  const paths = pathsOf(root);
  const path = paths[m.at % paths.length] as Path;
  if (path.length === 0) return m.op === "set" ? m.value : root;
  let parent = root as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  const target = parent[last];
  if (m.op === "delete") {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (m.op === "add" && target !== null && typeof target === "object" && !Array.isArray(target)) {
    Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  } else {
    parent[last] = m.value;
  }
  return root;
}

const TEXT_DAMAGE = [
  "[[[[[[[[",
  "]]",
  "{",
  "&a [*a, *a, *a]",
  "*nowhere",
  "!!js/function 'f'",
  "!custom ",
  "\t",
  ": :",
  "\0",
  "\n---\n",
  "- - - - - - ",
  '"',
  "'",
  " #",
  "\uFEFF",
  "<<: *a",
];

/** Damage done to the serialized text: an inserted fragment, a repeated bracket run, or a cut. */
const textEdit = fc.oneof(
  fc.record({ kind: fc.constant("insert" as const), pos: fc.nat(), text: fc.constantFrom(...TEXT_DAMAGE) }),
  fc.record({
    kind: fc.constant("insert" as const),
    pos: fc.nat(),
    text: fc
      .tuple(fc.constantFrom("[", "{", "- ", "? "), fc.integer({ min: 10, max: 5000 }))
      .map(([s, n]) => s.repeat(n)),
  }),
  fc.record({ kind: fc.constant("cut" as const), pos: fc.nat(), text: fc.constant("") }),
);

/** How one case is built, so a failure shows the recipe as well as the text. */
export interface ManifestCase {
  text: string;
  format: "yaml" | "json";
  mutations: number;
}

/**
 * Manifest text derived from one of `bases` (decoded resources): up to four field mutations,
 * YAML or JSON, and in one case out of four some damage to the text.
 */
export function manifestCase(bases: readonly unknown[]): fc.Arbitrary<ManifestCase> {
  return fc
    .record({
      base: fc.constantFrom(...bases),
      mutations: fc.array(mutation, { maxLength: 4 }),
      format: fc.constantFrom("yaml" as const, "json" as const),
      edit: fc.option(textEdit, { freq: 3 }),
    })
    .map(({ base, mutations, format, edit }) => {
      let doc: unknown = structuredClone(base);
      for (const m of mutations) doc = applyMutation(doc, m);
      let text = format === "json" ? (JSON.stringify(doc) ?? "null") : stringify(doc, { aliasDuplicateObjects: false });
      if (edit) {
        const pos = edit.pos % (text.length + 1);
        text = edit.kind === "cut" ? text.slice(0, pos) : text.slice(0, pos) + edit.text + text.slice(pos);
      }
      return { text, format, mutations: mutations.length };
    });
}

/** Resources that use the fields the shipped examples leave out: probes, routes, every provider, args. */
export const RICH_BASES: readonly unknown[] = [
  {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "rich", labels: { app: "rich" }, annotations: { note: "x" } },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 5,
      progressDeadlineSeconds: 120,
      rollbackWindow: { revisions: 2 },
      template: {
        process: {
          command: "node",
          args: ["server.js"],
          env: [{ name: "MODE", value: "canary" }],
          cwd: "/tmp",
          portEnv: "PORT",
          readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 1, failureThreshold: 3 },
          terminationGracePeriodSeconds: 5,
        },
      },
      strategy: {
        canary: {
          maxSurge: "25%",
          maxUnavailable: 0,
          scaleDownDelaySeconds: 30,
          stickySession: { cookieName: "sticky", maxAgeSeconds: 600 },
          trafficRouting: { managedRoutes: [{ name: "beta" }, { name: "mirror" }] },
          analysis: { templates: [{ templateName: "web-ok" }], startingStep: 1 },
          steps: [
            { setHeaderRoute: { name: "beta", match: [{ headerName: "x-beta", headerValue: { exact: "1" } }] } },
            { setMirrorRoute: { name: "mirror", percentage: 10, match: [{ path: { prefix: "/api" } }] } },
            { setCanaryScale: { replicas: 1 } },
            { setWeight: 20 },
            { pause: { duration: "1m30s" } },
            { analysis: { templates: [{ templateName: "web-ok" }], args: [{ name: "service", value: "rich" }] } },
          ],
        },
      },
      notifications: [{ name: "hook", webhook: { url: "http://127.0.0.1:9/hook", timeoutSeconds: 5 } }],
    },
  },
  {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "web-ok" },
    spec: {
      args: [{ name: "service" }, { name: "token", valueFrom: { env: "TOKEN" } }],
      metrics: [
        {
          name: "web",
          interval: "10s",
          count: 3,
          failureLimit: 1,
          successCondition: "result == true",
          provider: {
            web: {
              url: "http://127.0.0.1:9/{{args.service}}",
              headers: [{ key: "Authorization", value: "Bearer {{args.token}}" }],
              timeoutSeconds: 5,
              jsonPath: "{$.ok}",
            },
          },
        },
        {
          name: "cmd",
          successCondition: "result.ok",
          provider: { command: { command: ["echo", "{}"], env: [{ name: "A", value: "b" }], timeoutSeconds: 10 } },
        },
        {
          name: "prom",
          successCondition: "result[0] >= 0.99",
          provider: { prometheus: { address: "http://127.0.0.1:9090", query: "up", timeout: "5s" } },
        },
      ],
      dryRun: [{ metricName: "cmd" }],
      measurementRetention: [{ metricName: "web", limit: 10 }],
    },
  },
];

/** The shipped examples (docs/examples), decoded, plus {@link RICH_BASES}: where generated cases start. */
export function fuzzBases(): unknown[] {
  const dir = new URL("../../docs/examples/", import.meta.url);
  return [
    ...readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .flatMap((f) => parseAllDocuments(readFileSync(new URL(f, dir), "utf8")).map((d) => d.toJS())),
    ...RICH_BASES,
  ];
}
