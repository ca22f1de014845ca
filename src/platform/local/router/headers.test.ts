import { describe, expect, it } from "vitest";
import { clientResponseHeaders, upgradeRequestHead, upstreamRequestHeaders } from "./headers.js";

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

describe("upstreamRequestHeaders", () => {
  it("drops hop-by-hop headers and those named in Connection", () => {
    const raw = [
      "Host",
      "shop:8080",
      "Connection",
      "keep-alive, X-Secret",
      "Keep-Alive",
      "timeout=5",
      "Proxy-Authorization",
      "Basic x",
      "TE",
      "trailers",
      "Transfer-Encoding",
      "chunked",
      "Upgrade",
      "h2c",
      "X-Secret",
      "1",
      "Accept",
      "*/*",
    ];
    const out = pairs(upstreamRequestHeaders(raw, "keep-alive, X-Secret", "127.0.0.1", "http"));
    expect(out).toEqual([
      ["Host", "shop:8080"],
      ["Accept", "*/*"],
      ["x-forwarded-for", "127.0.0.1"],
      ["x-forwarded-proto", "http"],
      ["x-forwarded-host", "shop:8080"],
    ]);
  });

  it("appends to an existing X-Forwarded-For and keeps an existing proto and host", () => {
    const raw = ["X-Forwarded-For", "10.0.0.1", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "shop.example"];
    const out = pairs(upstreamRequestHeaders(raw, undefined, "127.0.0.1", "http"));
    expect(out).toEqual([
      ["X-Forwarded-Proto", "https"],
      ["X-Forwarded-Host", "shop.example"],
      ["x-forwarded-for", "10.0.0.1, 127.0.0.1"],
    ]);
  });
});

describe("clientResponseHeaders", () => {
  it("drops hop-by-hop response headers, keeps the rest, and adds the revision and sticky cookie", () => {
    const raw = [
      "Connection",
      "keep-alive, X-Hop",
      "Keep-Alive",
      "timeout=5",
      "Transfer-Encoding",
      "chunked",
      "X-Hop",
      "1",
      "Content-Type",
      "text/plain",
      "Set-Cookie",
      "a=1",
      "Set-Cookie",
      "b=2",
    ].map((v) => Buffer.from(v));
    expect(pairs(clientResponseHeaders(raw, "abc", "s=abc; Path=/"))).toEqual([
      ["Content-Type", "text/plain"],
      ["Set-Cookie", "a=1"],
      ["Set-Cookie", "b=2"],
      ["x-sluice-revision", "abc"],
      ["set-cookie", "s=abc; Path=/"],
    ]);
  });

  it("adds no cookie when there is no sticky assignment", () => {
    expect(clientResponseHeaders(["content-length", "2"], "abc", undefined)).toEqual([
      "content-length",
      "2",
      "x-sluice-revision",
      "abc",
    ]);
  });
});

describe("upgradeRequestHead", () => {
  it("keeps Connection and Upgrade and adds X-Forwarded-For", () => {
    const head = upgradeRequestHead(
      "GET",
      "/ws",
      [
        "Host",
        "shop",
        "Connection",
        "Upgrade",
        "Upgrade",
        "websocket",
        "Keep-Alive",
        "1",
        "X-Forwarded-For",
        "10.0.0.1",
      ],
      "127.0.0.1",
    );
    expect(head).toBe(
      "GET /ws HTTP/1.1\r\nHost: shop\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nX-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n\r\n",
    );
  });
});
