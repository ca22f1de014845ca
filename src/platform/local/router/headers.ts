/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus `expect`, which undici refuses. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "expect"]);

function isHopByHop(lower: string): boolean {
  return HOP_BY_HOP.has(lower) || lower.startsWith("proxy-");
}

/** {@link isHopByHop} for a name in any case; most names are ruled out by their first letter without lowercasing. */
function isHopByHopName(name: string): boolean {
  const c = name.charCodeAt(0) | 0x20;
  // c, e, k, p, t, u: the first letters of every hop-by-hop header.
  if (c !== 0x63 && c !== 0x65 && c !== 0x6b && c !== 0x70 && c !== 0x74 && c !== 0x75) return false;
  return isHopByHop(name.toLowerCase());
}

/** Extra header names a Connection header lists; `close` and `keep-alive` are the usual and need nothing. */
function connectionTokens(value: string | undefined): Set<string> | undefined {
  if (!value || value === "keep-alive" || value === "close" || value === "Keep-Alive") return undefined;
  let out: Set<string> | undefined;
  for (const part of value.split(",")) {
    const token = part.trim().toLowerCase();
    if (!token || token === "close" || token === "keep-alive") continue;
    out ??= new Set();
    out.add(token);
  }
  return out;
}

/**
 * The headers to send upstream, as a flat `[name, value, ...]` list built from the client's raw
 * headers: hop-by-hop headers dropped, X-Forwarded-For appended to, X-Forwarded-Proto and -Host set
 * unless a proxy in front already set them. The Host header is passed through unchanged. Names are
 * only lowercased when their first letter could make them special: this runs for every request.
 */
export function upstreamRequestHeaders(
  raw: readonly string[],
  connection: string | undefined,
  clientIp: string | undefined,
  proto: string,
): string[] {
  const named = connectionTokens(connection);
  const out: string[] = [];
  let forwardedFor: string | undefined;
  let host: string | undefined;
  let hasProto = false;
  let hasForwardedHost = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const c = name.charCodeAt(0) | 0x20;
    if (c === 0x78 && name.length > 12) {
      const lower = name.toLowerCase();
      if (lower === "x-forwarded-for") {
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      }
      if (lower === "x-forwarded-proto") hasProto = true;
      else if (lower === "x-forwarded-host") hasForwardedHost = true;
    } else if (c === 0x68 && name.length === 4 && name.toLowerCase() === "host") host = value;
    else if (isHopByHopName(name)) continue;
    if (named?.has(name.toLowerCase())) continue;
    out.push(name, value);
  }
  if (clientIp !== undefined)
    out.push("x-forwarded-for", forwardedFor === undefined ? clientIp : `${forwardedFor}, ${clientIp}`);
  else if (forwardedFor !== undefined) out.push("x-forwarded-for", forwardedFor);
  if (!hasProto) out.push("x-forwarded-proto", proto);
  if (!hasForwardedHost && host !== undefined) out.push("x-forwarded-host", host);
  return out;
}

/**
 * The request head for a WebSocket (or other Upgrade) request, as raw bytes for the upstream socket:
 * Connection and Upgrade are kept because the upgrade needs them; other hop-by-hop headers are dropped.
 */
export function upgradeRequestHead(
  method: string,
  url: string,
  raw: readonly string[],
  clientIp: string | undefined,
): string {
  let head = `${method} ${url} HTTP/1.1\r\n`;
  let forwardedFor: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const lower = name.toLowerCase();
    if (lower === "x-forwarded-for") {
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      continue;
    }
    if (lower !== "connection" && lower !== "upgrade" && isHopByHop(lower)) continue;
    head += `${name}: ${value}\r\n`;
  }
  const chain = [forwardedFor, clientIp].filter((v) => v !== undefined).join(", ");
  if (chain) head += `X-Forwarded-For: ${chain}\r\n`;
  return `${head}\r\n`;
}

/**
 * The headers to send the client, as a flat `[name, value, ...]` list built from the upstream's raw
 * headers: hop-by-hop headers dropped, `x-sluice-revision` added, and a sticky-session cookie added
 * when given. A flat list lets node write the head without building a header object.
 */
export function clientResponseHeaders(
  raw: readonly (Buffer | string)[],
  revision: string,
  setCookie: string | undefined,
): string[] {
  const out: string[] = [];
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString("latin1");
    if (isHopByHopName(name)) {
      if (name.length === 10 && name.toLowerCase() === "connection") connection = raw[i + 1]!.toString("latin1");
      continue;
    }
    out.push(name, raw[i + 1]!.toString("latin1"));
  }
  const named = connectionTokens(connection);
  const headers = named ? out.filter((_, i) => !named.has(out[i - (i % 2)]!.toLowerCase())) : out;
  headers.push("x-sluice-revision", revision);
  if (setCookie !== undefined) headers.push("set-cookie", setCookie);
  return headers;
}
