/**
 * fast-check generators of manifests that are meant to be applied to a real local controller:
 * mostly valid (so most of them get past lint and reach the controller), cheap to run (replicas
 * are a few `node -e` servers), and hostile inside the bounds: numbers at their limits, long and
 * odd strings, regex routes, odd env, many steps, analysis templates with every provider pointed
 * at a misbehaving server (analysis-arbitraries.ts), and conditions near the cost limit. One case
 * in four is also mutated and damaged by the lint fuzzer's generators (src/model/arbitraries.ts),
 * which lint mostly refuses.
 */
import fc from "fast-check";
import { stringify } from "yaml";
import { manifestCase } from "../../src/model/arbitraries.js";
import { analysisTemplate } from "./analysis-arbitraries.js";
import {
  delaySeconds,
  duration,
  env,
  mostly,
  NAME_TOKEN,
  oddText,
  percent,
  smallReplicas,
  TEMPLATES,
  timeout,
} from "./arbitrary-values.js";
import { HOSTILE_PATHS } from "./hostile-http.js";

export { NAME_TOKEN } from "./arbitrary-values.js";

const ROLLOUT = `${NAME_TOKEN}r`;

/** One generated case: its manifest text, and how it was made (shown when a property fails). */
export interface ApplyCase {
  text: string;
  recipe: string;
}

/** A Node one-liner that serves 200 on the port in `portEnv`: the cheapest replica that can be ready. */
export function serverScript(portEnv: string): string {
  return `require("http").createServer((q,s)=>s.end("ok")).listen(+process.env[${JSON.stringify(portEnv)}],"127.0.0.1")`;
}

/** Environments that keep a `node -e` replica working and ones that break it in ways a user could. */
const replicaEnv = fc.oneof(
  { weight: 4, arbitrary: env.map((e) => e.filter((v) => !["NODE_OPTIONS", "LD_PRELOAD", "PATH"].includes(v.name))) },
  { weight: 1, arbitrary: env },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      [{ name: "NODE_OPTIONS", value: "--require /nonexistent.js" }],
      [{ name: "LD_PRELOAD", value: "/nonexistent.so" }],
      Array.from({ length: 500 }, (_, i) => ({ name: `V${i}`, value: String(i) })),
    ),
  },
);

/** RE2 patterns, including ones a backtracking engine would hang on; lint refuses the few RE2 cannot take. */
const REGEXES = ["(a+)+$", "^(a|a)*$", ".*", "(?i)beta", "a{1000}", "[\\s\\S]*x", "^\\p{L}+$", "x*y*z*".repeat(50)];
const BAD_REGEXES = ["(", "a{1001}", "\\", "(?=x)"];
const stringMatch = fc.oneof(
  fc.record({ exact: oddText }),
  fc.record({ prefix: fc.constantFrom("/", "/api", "é") }),
  fc.record({ regex: mostly(fc.constantFrom(...REGEXES), fc.constantFrom(...BAD_REGEXES)) }),
);
const HEADER_NAMES = ["x-beta", "X-Canary", "cookie", "host", "x".repeat(300), "bad header", ":authority"];
const routeMatch = fc.record(
  {
    headerName: fc.constantFrom(...HEADER_NAMES),
    headerValue: stringMatch,
    cookieName: fc.constantFrom("canary", "c"),
    cookieValue: stringMatch,
    method: fc.record({ exact: fc.constantFrom("GET", "POST", "BREW") }),
    path: stringMatch,
  },
  { requiredKeys: [] },
);
const ROUTES = ["beta", "mirror", "r".repeat(253)];

const templateRef = fc.integer({ min: 0, max: 2 }).map((i) => ({ templateName: TEMPLATES[i] }));
const runArgs = fc.array(
  fc.oneof(
    fc.record({ name: fc.constantFrom("url", "n", "unused"), value: oddText }),
    fc.record({
      name: fc.constant("rev"),
      valueFrom: fc.record({ podTemplateHashValue: fc.constantFrom("Stable", "Latest") }),
    }),
  ),
  { maxLength: 3 },
);
const rolloutAnalysis = fc.record({ templates: fc.array(templateRef, { minLength: 1, maxLength: 2 }), args: runArgs });

const step = fc.oneof(
  fc.record({ setWeight: percent }),
  fc.record({ pause: fc.record({ duration }, { requiredKeys: [] }) }),
  fc.record({ analysis: rolloutAnalysis }),
  fc.record({
    setCanaryScale: fc.oneof(
      fc.record({ replicas: smallReplicas }),
      fc.record({ weight: percent }),
      fc.constant({ matchTrafficWeight: true }),
    ),
  }),
  fc.record(
    { setHeaderRoute: fc.record({ name: fc.constantFrom(...ROUTES), match: fc.array(routeMatch, { maxLength: 3 }) }) },
    { requiredKeys: ["setHeaderRoute"] },
  ),
  fc.record({
    setMirrorRoute: fc.record(
      { name: fc.constantFrom(...ROUTES), match: fc.array(routeMatch, { maxLength: 2 }), percentage: percent },
      { requiredKeys: ["name"] },
    ),
  }),
);
/** A handful of steps, or up to the 500 the model allows (cheap ones, so the engine walks them all). */
const steps = fc.oneof(
  { weight: 5, arbitrary: fc.array(step, { maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(100, 500)
      .map((n) => Array.from({ length: n }, (_, i) => (i % 2 ? { setWeight: i % 101 } : { pause: { duration: 0 } }))),
  },
);

const probe = fc.record(
  {
    httpGet: fc.record(
      { path: fc.constantFrom("/", "/é?x=1#f", `/${"p".repeat(2000)}`), port: fc.constantFrom(1, 65535) },
      {
        requiredKeys: ["path"],
      },
    ),
    initialDelaySeconds: fc.constantFrom(0, 3600),
    periodSeconds: fc.constantFrom(0.1, 1, 3600),
    timeoutSeconds: timeout,
    successThreshold: fc.constantFrom(1, 1000),
    failureThreshold: fc.constantFrom(1, 1000),
  },
  { requiredKeys: ["httpGet"] },
);

function processTemplate(portEnv: string) {
  return fc.record(
    {
      command: fc.oneof(
        { weight: 8, arbitrary: fc.constant(process.execPath) },
        { weight: 1, arbitrary: fc.constantFrom("node", "/nonexistent/bin", "false", "é") },
      ),
      args: fc.oneof(
        { weight: 8, arbitrary: fc.constant(["-e", serverScript(portEnv)]) },
        { weight: 1, arbitrary: fc.array(oddText, { maxLength: 5 }).map((a) => ["-e", serverScript(portEnv), ...a]) },
        { weight: 1, arbitrary: fc.constant(["-e", "process.exit(3)"]) },
      ),
      env: replicaEnv,
      cwd: fc.constantFrom("/tmp", "/nonexistent", "."),
      portEnv: fc.constant(portEnv),
      readinessProbe: probe,
      livenessProbe: probe,
      terminationGracePeriodSeconds: fc.constantFrom(0, 1, 3600),
    },
    { requiredKeys: ["command", "args", "portEnv"] },
  );
}

const labels = fc.dictionary(
  fc.constantFrom("app", "a.b/c", `${"k".repeat(253)}/${"n".repeat(63)}`, "é"),
  fc.constantFrom("", "v", "v".repeat(63)),
  { maxKeys: 3 },
);

const canary = fc.record(
  {
    steps,
    analysis: fc.record({
      templates: fc.array(templateRef, { minLength: 1, maxLength: 2 }),
      startingStep: mostly(fc.constantFrom(0, 1), fc.constant(500)),
    }),
    maxSurge: fc.constantFrom(0, 1, "0%", "100%", "999%"),
    maxUnavailable: fc.constantFrom(0, 1, "100%"),
    scaleDownDelaySeconds: delaySeconds,
    abortScaleDownDelaySeconds: delaySeconds,
    trafficRouting: fc.constant({ managedRoutes: ROUTES.map((name) => ({ name })) }),
    stickySession: fc.record({
      cookieName: fc.constantFrom("s", "!#$%&'*+-.^_`|~"),
      maxAgeSeconds: fc.constantFrom(1, 31_536_000),
    }),
    baseline: fc.boolean(),
  },
  { requiredKeys: ["steps"] },
);
const blueGreen = fc.record(
  {
    previewReplicaCount: fc.constantFrom(1, 2),
    autoPromotionEnabled: fc.boolean(),
    autoPromotionSeconds: delaySeconds,
    scaleDownDelaySeconds: delaySeconds,
    prePromotionAnalysis: rolloutAnalysis,
    postPromotionAnalysis: rolloutAnalysis,
  },
  { requiredKeys: [] },
);

function notification(hostileUrl: string) {
  return fc.record({
    name: fc.constantFrom("hook", "n".repeat(63)),
    on: fc.constantFrom(["RolloutCompleted"], ["Paused", "RolloutAborted", "NoSuchReason"]),
    webhook: fc.record({
      url: fc.constantFrom(...HOSTILE_PATHS.map((p) => `${hostileUrl}${p}`), "http://127.0.0.1:9/"),
      timeoutSeconds: fc.constantFrom(0.001, 60),
    }),
  });
}

function rollout(hostileUrl: string) {
  return fc.constantFrom("PORT", "SLUICE_PORT", "p.o-r_t").chain((portEnv) =>
    fc.record(
      {
        apiVersion: fc.constant("sluice.dev/v1alpha1"),
        kind: fc.constant("Rollout"),
        metadata: fc.record(
          {
            name: fc.constant(ROLLOUT),
            labels,
            annotations: fc.dictionary(fc.constantFrom("note", "x/y"), oddText, { maxKeys: 2 }),
          },
          { requiredKeys: ["name"] },
        ),
        spec: fc.record(
          {
            replicas: smallReplicas,
            template: fc.record({ process: processTemplate(portEnv) }),
            strategy: fc.oneof(
              { weight: 4, arbitrary: fc.record({ canary }) },
              { weight: 1, arbitrary: fc.record({ blueGreen }) },
            ),
            revisionHistoryLimit: fc.constantFrom(0, 1, 1000),
            minReadySeconds: fc.constantFrom(0, 1, 31_536_000),
            progressDeadlineSeconds: fc.constantFrom(1, 600, 31_536_000),
            progressDeadlineAbort: fc.boolean(),
            rollbackWindow: fc.record({ revisions: fc.constantFrom(0, 2, 1000) }),
            paused: fc.constantFrom(false, false, false, true),
            restartAt: fc.constantFrom("1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2025-01-31T12:00:00+14:00"),
            notifications: fc.array(notification(hostileUrl), { maxLength: 1 }),
          },
          { requiredKeys: ["template", "strategy"] },
        ),
      },
      { requiredKeys: ["apiVersion", "kind", "metadata", "spec"] },
    ),
  );
}

/** A rollout and the three templates it may name; the lint fuzzer's mutations are layered on top one case in four. */
export function applyCase(hostileUrl: string): fc.Arbitrary<ApplyCase> {
  const docs = fc.tuple(rollout(hostileUrl), ...TEMPLATES.map((t) => analysisTemplate(hostileUrl, t)));
  return fc.oneof(
    {
      weight: 3,
      arbitrary: docs.map((d) => ({ text: d.map((x) => stringify(x)).join("---\n"), recipe: "generated" })),
    },
    {
      weight: 1,
      arbitrary: docs.chain((d) =>
        fc.tuple(fc.nat(d.length - 1), fc.constant(d)).chain(([i, all]) =>
          manifestCase([all[i]]).map((m) => ({
            text: all.map((x, k) => (k === i ? m.text : stringify(x))).join("\n---\n"),
            recipe: `document ${i} mutated ${m.mutations} time(s) as ${m.format}`,
          })),
        ),
      ),
    },
  );
}
