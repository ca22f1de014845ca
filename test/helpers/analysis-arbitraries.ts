/**
 * Generated AnalysisTemplates for the apply fuzzer: every provider (builtin, web, command,
 * prometheus, and job, which the local platform cannot run) pointed at a misbehaving server,
 * intervals down to a millisecond, counts up to the bound, and conditions that are deep, costly or
 * fail at run time.
 */
import fc from "fast-check";
import {
  commandInterval,
  count,
  duration,
  env,
  interval,
  mostly,
  NAME_TOKEN,
  oddText,
  TEMPLATES,
  timeout,
} from "./arbitrary-values.js";
import { HOSTILE_PATHS } from "./hostile-http.js";

/** Conditions lint accepts (and a few it refuses): deep, costly, erroring at run time, or matching odd patterns. */
const CONDITIONS = [
  "result == true",
  "result.ok == true",
  "result[0] >= 0.99",
  "result.canary.successRate >= 0.99 && result.canary.p95 <= 200",
  "has(result.ok) && result.ok",
  "int(result.value) / 0 == 1",
  "string(result).matches('^(a+)+$')",
  "string(result).matches('^(a|a)*$')",
  "size(string(result)) > 1000000",
  "[1,2,3].all(x, [1,2,3].all(y, [1,2,3].all(z, x*y*z > 0)))",
  `${"(".repeat(40)}true${")".repeat(40)}`,
  `${"true && ".repeat(300)}true`,
  "result['__proto__'] == 1",
  "result.nope.deeper == 1",
  "double(result) > 1e308",
];
const condition = mostly(
  fc.constantFrom(...CONDITIONS),
  fc.constantFrom("result >", `${"(".repeat(60)}true${")".repeat(60)}`, "result.size("),
);

function provider(hostileUrl: string) {
  const at = (paths: readonly string[]) =>
    fc.constantFrom(...paths.map((p) => `${hostileUrl}${p}`), "http://127.0.0.1:9/");
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        builtin: fc.record(
          { window: duration, minRequests: fc.constantFrom(0, 1, 1_000_000_000) },
          { requiredKeys: [] },
        ),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        web: fc.record(
          {
            url: fc.oneof(at(HOSTILE_PATHS), fc.constant("{{args.url}}"), fc.constant(`${hostileUrl}/ok?q={{args.n}}`)),
            method: fc.constantFrom("GET", "POST", "PUT"),
            headers: fc.array(fc.record({ key: fc.constantFrom("X-A", "Host", "k".repeat(253)), value: oddText }), {
              maxLength: 2,
            }),
            body: oddText,
            jsonBody: fc.constantFrom({ a: [1, { b: null }] }, "s", 1),
            jsonPath: fc.constantFrom("{$.ok}", "{$..*}", "{$.pad}", "{$[0][0][0]}", "{"),
            timeoutSeconds: timeout,
          },
          { requiredKeys: ["url"] },
        ),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        command: fc.record(
          {
            command: fc.constantFrom(
              ["echo", "{}"],
              ["true"],
              ["false"],
              ["printf", "%s", "[1,2,3]"],
              ["sh", "-c", "head -c 5000000 /dev/zero"],
              ["sh", "-c", "sleep 3"],
              ["sh", "-c", "env"],
              ["/nonexistent"],
            ),
            env,
            cwd: fc.constantFrom("/tmp", "/nonexistent"),
            timeoutSeconds: timeout,
            result: fc.constantFrom("exitCode", "json"),
          },
          { requiredKeys: ["command"] },
        ),
      }),
    },
    {
      weight: 5,
      arbitrary: fc.record({
        prometheus: fc.record(
          {
            address: at(["/prom", "/prom-many", "/huge", "/slow", "/notjson", "/redirect"]),
            query: oddText.map((q) => q || "up"),
            range: fc.record({ start: duration, step: fc.constantFrom("1ms", "1s", 1) }),
            timeout: fc.constantFrom("1ms", "10s", 3600),
          },
          { requiredKeys: ["address", "query"] },
        ),
      }),
    },
    // The local platform runs no Jobs: every measurement is an Error, so it is rare here.
    {
      weight: 1,
      arbitrary: fc.constant({
        job: { spec: { template: { spec: { containers: [{ name: "c", image: "busybox" }] } } } },
      }),
    },
  );
}

function metric(hostileUrl: string, name: string) {
  return provider(hostileUrl).chain((p) =>
    fc.record(
      {
        name: fc.constant(name),
        provider: fc.constant(p),
        interval: "command" in p ? commandInterval : interval,
        initialDelay: duration,
        count,
        successCondition: condition,
        failureCondition: condition,
        failureLimit: count,
        inconclusiveLimit: count,
        consecutiveErrorLimit: count,
      },
      { requiredKeys: ["name", "provider", "interval"] },
    ),
  );
}

function includes(name: string): fc.Arbitrary<{ templateName: string }[]> {
  const later = TEMPLATES.slice(TEMPLATES.indexOf(name) + 1);
  if (later.length === 0) return fc.constant([]);
  return fc.array(
    fc.constantFrom(...later).map((templateName) => ({ templateName })),
    { maxLength: 1 },
  );
}

const metricPrefix = (template: string) => `${template.slice(NAME_TOKEN.length)}m`;

/** An AnalysisTemplate called `name` whose metrics use every provider, pointed at `hostileUrl` (test/helpers/hostile-http.ts). */
export function analysisTemplate(hostileUrl: string, name: string) {
  const ARGS: { name: string; value?: string; valueFrom?: { env: string } }[] = [
    { name: "url", value: `${hostileUrl}/ok` },
    { name: "n", value: "1" },
    { name: "unused", value: "" },
    { name: "rev", value: "x" },
  ];
  return fc.record({
    apiVersion: fc.constant("sluice.dev/v1alpha1"),
    kind: fc.constant("AnalysisTemplate"),
    metadata: fc.constant({ name }),
    spec: fc.record(
      {
        args: mostly(
          fc.constant(ARGS),
          fc.constant<typeof ARGS>([...ARGS, { name: "unset", valueFrom: { env: "NOT_SET_ANYWHERE" } }]),
        ),
        // Names unique across templates: a run that merges two templates refuses a repeated name.
        metrics: fc
          .tuple(...[0, 1, 2].map((i) => metric(hostileUrl, `${metricPrefix(name)}${i}`)))
          .chain((ms) => fc.integer({ min: 1, max: 3 }).map((n) => ms.slice(0, n))),
        // Only later templates, so includes never form a cycle (lint refuses those); rarely itself.
        templates: mostly(includes(name), fc.constant<{ templateName: string }[]>([{ templateName: name }])),
        dryRun: fc.constant([{ metricName: `${metricPrefix(name)}0` }]),
        measurementRetention: fc.constant([{ metricName: `${metricPrefix(name)}0`, limit: 1000 }]),
      },
      { requiredKeys: ["args", "metrics"] },
    ),
  });
}
