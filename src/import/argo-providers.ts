import { bool, child, int, isObj, known, list, mapping, type Obj, put, str } from "./fields.js";
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

/** The one container of a Job's pod template, or undefined when there is not exactly one. */
function jobContainer(job: Obj): Obj | undefined {
  const spec = isObj(job.spec) ? job.spec : {};
  const tmpl = isObj(spec.template) ? spec.template : {};
  const pod = isObj(tmpl.spec) ? tmpl.spec : {};
  const containers = Array.isArray(pod.containers) ? pod.containers : [];
  const [only] = containers;
  return containers.length === 1 && isObj(only) ? only : undefined;
}

/**
 * A Job that runs one container with a `command` becomes a command provider: the same argv, run
 * on the controller's machine, passing when it exits 0. Anything else cannot be run that way.
 */
function job(p: Obj, path: string, notes: Notes): ProviderResult {
  const c = jobContainer(p);
  const command = c && Array.isArray(c.command) ? c.command : [];
  const args = c && Array.isArray(c.args) ? c.args : [];
  const argv = [...command, ...args];
  if (c === undefined || command.length === 0 || !argv.every((a) => typeof a === "string"))
    return { dropped: "the job provider runs a Job that is not one container with a command" };
  const out: Obj = { command: argv, result: "exitCode" };
  const env: Obj[] = [];
  for (const e of list(c.env, child(path, "spec.template.spec.containers[0].env"), notes))
    if (isObj(e) && typeof e.name === "string" && typeof e.value === "string")
      env.push({ name: e.name, value: e.value });
  if (env.length > 0) out.env = env;
  const image = typeof c.image === "string" ? ` (image ${c.image} is not used)` : "";
  notes.warn(path, `now runs ${JSON.stringify(argv.join(" "))} as a local command on the controller's machine${image}`);
  return { provider: { command: out } };
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
