import type { IncomingHttpHeaders } from "node:http";
import { compilePattern } from "../../../model/regex.js";
import type { RouteMatch, StringMatch } from "../../../model/strategy.js";
import { RouterConfigError } from "./errors.js";

/** The parts of a request that route matches look at; a node `IncomingMessage` is one. */
export interface RequestView {
  method?: string | undefined;
  url?: string | undefined;
  headers: IncomingHttpHeaders;
}

/** A compiled route match list: true when the request satisfies it. */
export type RequestMatcher = (req: RequestView) => boolean;

type StringTest = (value: string) => boolean;

/**
 * Compiles a list of match objects. Conditions inside one object must all hold; any object in the
 * list may hold. An empty list matches nothing when `emptyMatches` is false (a header route with
 * no conditions must not take every request) and everything when true (mirror all traffic).
 */
export function compileMatches(matches: RouteMatch[], where: string, emptyMatches: boolean): RequestMatcher {
  if (matches.length === 0) return emptyMatches ? () => true : () => false;
  const alternatives = matches.map((m, i) => compileOne(m, `${where}[${i}]`));
  if (alternatives.length === 1) return alternatives[0]!;
  return (req) => {
    for (const alt of alternatives) if (alt(req)) return true;
    return false;
  };
}

function compileOne(m: RouteMatch, where: string): RequestMatcher {
  const conditions: RequestMatcher[] = [];
  if (m.headerName !== undefined) {
    const name = m.headerName.toLowerCase();
    const test = m.headerValue ? compileString(m.headerValue, `${where}.headerValue`) : undefined;
    conditions.push((req) => {
      const raw = req.headers[name];
      if (raw === undefined) return false;
      const value = Array.isArray(raw) ? raw.join(", ") : raw;
      return test ? test(value) : true;
    });
  } else if (m.headerValue) {
    throw new RouterConfigError("headerValue needs headerName", where);
  }
  if (m.cookieName !== undefined) {
    const name = m.cookieName;
    const test = m.cookieValue ? compileString(m.cookieValue, `${where}.cookieValue`) : undefined;
    conditions.push((req) => {
      const value = cookieValue(req.headers.cookie, name);
      if (value === undefined) return false;
      return test ? test(value) : true;
    });
  } else if (m.cookieValue) {
    throw new RouterConfigError("cookieValue needs cookieName", where);
  }
  if (m.method) {
    const test = compileString(m.method, `${where}.method`);
    conditions.push((req) => test(req.method ?? "GET"));
  }
  if (m.path) {
    const test = compileString(m.path, `${where}.path`);
    conditions.push((req) => test(pathOf(req.url ?? "/")));
  }
  if (conditions.length === 1) return conditions[0]!;
  return (req) => {
    for (const c of conditions) if (!c(req)) return false;
    return true;
  };
}

/** Regexes match the whole value, as Istio and Gateway API do; values over 8 KiB never match one. */
function compileString(s: StringMatch, where: string): StringTest {
  if (s.exact !== undefined) {
    const exact = s.exact;
    return (v) => v === exact;
  }
  if (s.prefix !== undefined) {
    const prefix = s.prefix;
    return (v) => v.startsWith(prefix);
  }
  if (s.regex !== undefined) {
    // RE2, not RegExp: the pattern is a user's and the value is a client's, so matching must be linear.
    try {
      return compilePattern(s.regex);
    } catch (err) {
      throw new RouterConfigError((err as Error).message, `${where}.regex`, { cause: err });
    }
  }
  throw new RouterConfigError("set one of exact, prefix or regex", where);
}

/** The path of a request target, without the query string. */
export function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

/** The value of cookie `name` in a Cookie header, without building a map of every cookie. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let from = 0;
  while (from < header.length) {
    const at = header.indexOf(name, from);
    if (at < 0) return undefined;
    const end = at + name.length;
    const startsPair = at === 0 || header[at - 1] === " " || header[at - 1] === ";";
    if (startsPair && header[end] === "=") {
      const semi = header.indexOf(";", end + 1);
      const raw = header.slice(end + 1, semi < 0 ? header.length : semi).trim();
      return raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    }
    from = end;
  }
  return undefined;
}
