import { bool, child, int, isObj, known, list, mapping, type Obj, put, str, stringMap } from "./fields.js";
import type { Notes } from "./notes.js";

/** Argo metric providers Sluice has no counterpart for: their metrics are dropped. */
export const UNSUPPORTED_PROVIDERS = [
  "datadog",
  "newRelic",
  "wavefront",
  "cloudWatch",
  "kayenta",
  "graphite",
  "influxdb",
  "skywalking",
  "plugin",
];

/** A provider translation: the Sluice provider, or why the metric has to go. */
export type ProviderResult = { provider: Obj } | { dropped: string };

const HTTP_URL = /^https?:\/\/[^\s{}]+$/;

function headers(raw: unknown, path: string, notes: Notes): Obj[] | undefined {
  const out: Obj[] = [];
  for (const [i, h] of list(raw, path, notes).entries()) {
    const at = child(path, i);
    if (!isObj(h)) {
      notes.warn(at, "expected a mapping; dropped");
      continue;
    }
    known(h, at, notes, ["key", "value"]);
    const key = str(h.key, child(at, "key"), notes);
    const value = str(h.value, child(at, "value"), notes);
    if (key !== undefined && value !== undefined) out.push({ key, value });
  }
  return out.length > 0 ? out : undefined;
}

function prometheus(p: Obj, path: string, notes: Notes): ProviderResult {
  known(p, path, notes, ["address", "query", "timeout", "headers", "insecure", "authentication"]);
  const address = str(p.address, child(path, "address"), notes);
  const query = str(p.query, child(path, "query"), notes);
  if (query === undefined) return { dropped: "the prometheus provider has no query" };
  // Sluice validates the address as a URL when the template is loaded, before any argument is known.
  if (address === undefined || !HTTP_URL.test(address))
    return {
      dropped: `the prometheus address ${address === undefined ? "is missing" : `${JSON.stringify(address)} is not a plain http(s) URL`}`,
    };
  const out: Obj = { address, query };
  put(out, "timeout", int(p.timeout, child(path, "timeout"), notes));
  put(out, "headers", headers(p.headers, child(path, "headers"), notes));
  put(out, "insecure", bool(p.insecure, child(path, "insecure"), notes));
  const auth = mapping(p.authentication, child(path, "authentication"), notes);
  if (auth) {
    const at = child(path, "authentication");
    for (const k of Object.keys(auth))
      notes.warn(child(at, k), `Sluice's prometheus provider supports bearerToken and basic authentication; dropped`);
  }
  return { provider: { prometheus: out } };
}

function web(p: Obj, path: string, notes: Notes): ProviderResult {
  known(p, path, notes, ["url", "method", "headers", "body", "jsonBody", "jsonPath", "timeoutSeconds", "insecure"]);
  const url = str(p.url, child(path, "url"), notes);
  if (url === undefined) return { dropped: "the web provider has no url" };
  const out: Obj = { url };
  const method = str(p.method, child(path, "method"), notes)?.toUpperCase();
  if (method === "GET" || method === "POST" || method === "PUT") out.method = method;
  else if (method !== undefined) notes.warn(child(path, "method"), `Sluice sends GET, POST or PUT; dropped`);
  put(out, "headers", headers(p.headers, child(path, "headers"), notes));
  put(out, "body", str(p.body, child(path, "body"), notes));
  put(out, "jsonBody", p.jsonBody);
  put(out, "jsonPath", str(p.jsonPath, child(path, "jsonPath"), notes));
  put(out, "timeoutSeconds", int(p.timeoutSeconds, child(path, "timeoutSeconds"), notes));
  put(out, "insecure", bool(p.insecure, child(path, "insecure"), notes));
  return { provider: { web: out } };
}

/** Sluice's bound on a job metric's `activeDeadlineSeconds` (src/model/analysis.ts). */
const MAX_JOB_DEADLINE_SECONDS = 3600;

/** Why the Job's pod template cannot run, or undefined when every container has a name and an image. */
function podProblem(spec: Obj): string | undefined {
  const tmpl = isObj(spec.template) ? spec.template : undefined;
  const pod = tmpl && isObj(tmpl.spec) ? tmpl.spec : undefined;
  const containers = pod && Array.isArray(pod.containers) ? pod.containers : [];
  if (containers.length === 0) return "the job provider's Job has no containers in spec.template.spec";
  const named = (c: unknown) => isObj(c) && typeof c.name === "string" && c.name !== "";
  const imaged = (c: unknown) => isObj(c) && typeof c.image === "string" && c.image !== "";
  if (!containers.every((c) => named(c) && imaged(c)))
    return "the job provider's Job has a container without a name or an image";
  return undefined;
}

/**
 * Argo's job metric becomes Sluice's job provider: the same batch/v1 Job, run in the rollout's
 * namespace, passing when it completes. The Job spec is passed to the API server as written; only
 * a deadline past Sluice's bound is lowered to it.
 */
function job(p: Obj, path: string, notes: Notes): ProviderResult {
  known(p, path, notes, ["metadata", "spec"]);
  const spec = mapping(p.spec, child(path, "spec"), notes);
  if (spec === undefined) return { dropped: "the job provider has no Job spec" };
  const problem = podProblem(spec);
  if (problem) return { dropped: problem };
  const out: Obj = {};
  const meta = mapping(p.metadata, child(path, "metadata"), notes);
  if (meta) {
    const at = child(path, "metadata");
    known(meta, at, notes, ["labels", "annotations"]);
    const m: Obj = {};
    put(m, "labels", stringMap(meta.labels, child(at, "labels"), notes));
    put(m, "annotations", stringMap(meta.annotations, child(at, "annotations"), notes));
    if (Object.keys(m).length > 0) out.metadata = m;
  }
  const jobSpec: Obj = { ...spec };
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined) {
    const at = child(child(path, "spec"), "activeDeadlineSeconds");
    if (typeof deadline !== "number" || !Number.isInteger(deadline) || deadline < 1) {
      delete jobSpec.activeDeadlineSeconds;
      notes.warn(at, "expected a whole number of seconds; dropped (Sluice waits 600 s for the Job)");
    } else if (deadline > MAX_JOB_DEADLINE_SECONDS) {
      jobSpec.activeDeadlineSeconds = MAX_JOB_DEADLINE_SECONDS;
      notes.warn(at, `${deadline} is more than Sluice allows; lowered to ${MAX_JOB_DEADLINE_SECONDS}`);
    }
  }
  out.spec = jobSpec;
  return { provider: { job: out } };
}

/** An Argo metric provider as a Sluice provider. */
export function translateProvider(raw: unknown, path: string, notes: Notes): ProviderResult {
  const p = mapping(raw, path, notes);
  if (p === undefined) return { dropped: "it has no provider" };
  const [kind, ...others] = Object.keys(p).filter((k) => p[k] !== undefined);
  for (const k of others) notes.warn(child(path, k), "a metric has one provider; dropped");
  if (kind === undefined) return { dropped: "it has no provider" };
  const at = child(path, kind);
  const body = mapping(p[kind], at, notes) ?? {};
  switch (kind) {
    case "prometheus":
      return prometheus(body, at, notes);
    case "web":
      return web(body, at, notes);
    case "job":
      return job(body, at, notes);
  }
  const hint = UNSUPPORTED_PROVIDERS.includes(kind) ? "" : " (unknown provider)";
  return { dropped: `Sluice has no ${kind} provider${hint}` };
}
