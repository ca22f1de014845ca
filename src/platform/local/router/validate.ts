import type { RouteMatch, StringMatch } from "../../../model/strategy.js";
import type { RolloutRoute, RouteRefusal, RouterBackend, RouterConfig } from "./config.js";
import { RouterConfigError } from "./errors.js";

/** A config as parsed: the rollouts that have a valid shape, and the ones refused with why. */
export interface ParsedRouterConfig {
  config: RouterConfig;
  refused: RouteRefusal[];
}

/**
 * Checks that a JSON value has the shape of a {@link RouterConfig} and returns it typed. Hand-written
 * rather than zod: it runs on every config push and at start-up, and needs no defaults or coercion.
 * Unknown fields are ignored so an older router accepts a newer controller's config.
 *
 * A rollout with a bad field is refused on its own, so it cannot block the other rollouts' routes;
 * only a config whose frame is wrong (generation, the list, a rollout without a name, a name used
 * twice) throws {@link RouterConfigError}.
 */
export function parseRouterConfig(value: unknown): ParsedRouterConfig {
  const o = obj(value, "");
  const generation = o.generation;
  if (typeof generation !== "number" || !Number.isSafeInteger(generation) || generation < 0)
    throw new RouterConfigError("must be a non-negative integer", "generation");
  const entries = arr(o.rollouts, "rollouts");
  const names = new Set<string>();
  const rollouts: RolloutRoute[] = [];
  const refused: RouteRefusal[] = [];
  for (const [i, entry] of entries.entries()) {
    const at = `rollouts[${i}]`;
    const rollout = str(obj(entry, at).rollout, `${at}.rollout`);
    if (names.has(rollout)) throw new RouterConfigError(`duplicate rollout "${rollout}"`, `${at}.rollout`);
    names.add(rollout);
    try {
      rollouts.push(parseRoute(entry, at));
    } catch (err) {
      if (!(err instanceof RouterConfigError)) throw err;
      refused.push(refusal(rollout, err));
    }
  }
  return { config: { generation, rollouts }, refused };
}

/** A per-rollout refusal from an error whose path starts at `rollouts[i]`; the path is made relative to the rollout. */
export function refusal(rollout: string, err: RouterConfigError): RouteRefusal {
  return { rollout, path: err.path.replace(/^rollouts\[\d+\]\.?/, ""), message: err.reason };
}

function parseRoute(value: unknown, at: string): RolloutRoute {
  const o = obj(value, at);
  const traffic = obj(o.traffic, `${at}.traffic`);
  const weights = obj(traffic.weights, `${at}.traffic.weights`);
  for (const [rev, w] of Object.entries(weights)) {
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0)
      throw new RouterConfigError("must be a number >= 0", `${at}.traffic.weights.${rev}`);
  }
  const route: RolloutRoute = {
    rollout: str(o.rollout, `${at}.rollout`),
    hosts: arr(o.hosts ?? [], `${at}.hosts`).map((h, i) => str(h, `${at}.hosts[${i}]`)),
    backends: arr(o.backends, `${at}.backends`).map((b, i) => parseBackend(b, `${at}.backends[${i}]`)),
    traffic: {
      weights: weights as Record<string, number>,
      headerRoutes: arr(traffic.headerRoutes ?? [], `${at}.traffic.headerRoutes`).map((h, i) => {
        const where = `${at}.traffic.headerRoutes[${i}]`;
        const r = obj(h, where);
        return {
          name: str(r.name, `${where}.name`),
          revision: str(r.revision, `${where}.revision`),
          match: matches(r.match, `${where}.match`),
        };
      }),
      mirrorRoutes: arr(traffic.mirrorRoutes ?? [], `${at}.traffic.mirrorRoutes`).map((m, i) => {
        const where = `${at}.traffic.mirrorRoutes[${i}]`;
        const r = obj(m, where);
        const percentage = r.percentage ?? 100;
        if (typeof percentage !== "number" || !(percentage >= 0 && percentage <= 100))
          throw new RouterConfigError("must be a number from 0 to 100", `${where}.percentage`);
        return {
          name: str(r.name, `${where}.name`),
          revision: str(r.revision, `${where}.revision`),
          match: matches(r.match, `${where}.match`),
          percentage,
        };
      }),
    },
  };
  if (o.default !== undefined) route.default = bool(o.default, `${at}.default`);
  if (traffic.preview !== undefined) route.traffic.preview = str(traffic.preview, `${at}.traffic.preview`);
  if (traffic.stickySession !== undefined) {
    const where = `${at}.traffic.stickySession`;
    const s = obj(traffic.stickySession, where);
    const maxAgeSeconds = s.maxAgeSeconds ?? 0;
    if (typeof maxAgeSeconds !== "number" || !(maxAgeSeconds >= 0))
      throw new RouterConfigError("must be a number >= 0", `${where}.maxAgeSeconds`);
    const cookieName = str(s.cookieName, `${where}.cookieName`);
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(cookieName))
      throw new RouterConfigError("is not a valid cookie name", `${where}.cookieName`);
    route.traffic.stickySession = { cookieName, maxAgeSeconds };
  }
  if (o.previewListen !== undefined) route.previewListen = hostPort(o.previewListen, `${at}.previewListen`);
  return route;
}

function parseBackend(value: unknown, at: string): RouterBackend {
  const o = obj(value, at);
  return {
    revision: str(o.revision, `${at}.revision`),
    endpoints: arr(o.endpoints, `${at}.endpoints`).map((e, i) => hostPort(e, `${at}.endpoints[${i}]`)),
  };
}

function matches(value: unknown, at: string): RouteMatch[] {
  return arr(value ?? [], at).map((m, i) => {
    const where = `${at}[${i}]`;
    const o = obj(m, where);
    const out: RouteMatch = {};
    if (o.headerName !== undefined) out.headerName = str(o.headerName, `${where}.headerName`);
    if (o.cookieName !== undefined) out.cookieName = str(o.cookieName, `${where}.cookieName`);
    for (const key of ["headerValue", "cookieValue", "method", "path"] as const) {
      if (o[key] !== undefined) out[key] = stringMatch(o[key], `${where}.${key}`);
    }
    return out;
  });
}

function stringMatch(value: unknown, at: string): StringMatch {
  const o = obj(value, at);
  const set = (["exact", "prefix", "regex"] as const).filter((k) => o[k] !== undefined);
  if (set.length !== 1) throw new RouterConfigError("set exactly one of exact, prefix or regex", at);
  const key = set[0]!;
  return { [key]: str(o[key], `${at}.${key}`) };
}

/** Splits `HOST:PORT` (IPv6 hosts in brackets); throws {@link RouterConfigError} when it is not one. */
export function splitHostPort(value: string, at = ""): { host: string; port: number } {
  const i = value.lastIndexOf(":");
  const port = Number(value.slice(i + 1));
  let host = value.slice(0, i);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (i <= 0 || !host || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new RouterConfigError(`expected HOST:PORT, got ${JSON.stringify(value)}`, at);
  return { host, port };
}

function hostPort(value: unknown, at: string): string {
  const s = str(value, at);
  splitHostPort(s, at);
  return s;
}

function obj(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new RouterConfigError("must be an object", at);
  return value as Record<string, unknown>;
}

function arr(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new RouterConfigError("must be an array", at);
  return value;
}

function str(value: unknown, at: string): string {
  if (typeof value !== "string" || value.length === 0) throw new RouterConfigError("must be a non-empty string", at);
  return value;
}

function bool(value: unknown, at: string): boolean {
  if (typeof value !== "boolean") throw new RouterConfigError("must be true or false", at);
  return value;
}
