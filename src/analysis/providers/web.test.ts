import { describe, expect, it } from "vitest";
import { Metric } from "../../model/index.js";
import { interpretWebBody, WebMetricProvider, webRequestParts } from "./web.js";

const ctx = { args: {}, rollout: "r", canaryRevision: "c" };

describe("interpretWebBody", () => {
  it("returns the whole JSON body without a selector", () => {
    expect(interpretWebBody('{"ok":true}', "application/json", undefined)).toEqual({ value: { ok: true } });
  });

  it("selects with jsonPath", () => {
    expect(interpretWebBody('{"data":{"ok":false}}', "application/json", "{$.data.ok}")).toEqual({ value: false });
  });

  it("reads a plain-text number as a number and other text as text", () => {
    expect(interpretWebBody("0.97\n", "text/plain", undefined)).toEqual({ value: 0.97 });
    expect(interpretWebBody(" healthy \n", "text/plain", undefined)).toEqual({ value: "healthy" });
    const nan = interpretWebBody("NaN", "text/plain", undefined);
    expect("value" in nan && Number.isNaN(nan.value)).toBe(true);
  });

  it("calls an empty body no data", () => {
    expect(interpretWebBody("", "text/plain", undefined)).toEqual({ empty: "response body was empty" });
  });

  it("treats malformed JSON as an error when the server declared JSON", () => {
    const r = interpretWebBody('{"ok": tru', "application/json; charset=utf-8", undefined);
    expect(r).toMatchObject({ problem: 'answered with malformed JSON ({"ok": tru)' });
  });

  it("refuses a selector on a body that is not JSON", () => {
    const r = interpretWebBody("hello", "text/plain", "$.a");
    expect(r).toMatchObject({ problem: "answered with a body that is not JSON (hello), so jsonPath $.a cannot apply" });
  });

  it("names the missing part of a selector", () => {
    expect(interpretWebBody('{"a":{}}', "application/json", "$.a.b")).toMatchObject({
      problem: 'answered without a value at jsonPath $.a.b ($.a has no key "b")',
    });
  });

  it("reports a selector that does not parse", () => {
    expect(interpretWebBody("{}", "application/json", "a.b")).toMatchObject({ hint: "fix jsonPath" });
  });
});

describe("webRequestParts", () => {
  function web(extra: Record<string, unknown>) {
    return Metric.parse({ name: "w", provider: { web: { url: "http://127.0.0.1:1/", ...extra } } }).provider.web!;
  }

  it("serializes jsonBody and defaults the content type", () => {
    expect(webRequestParts(web({ jsonBody: { a: 1 } }))).toEqual({
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
  });

  it("keeps a content type the user set", () => {
    const parts = webRequestParts(web({ jsonBody: [1], headers: [{ key: "Content-Type", value: "application/x" }] }));
    expect(parts.headers["content-type"]).toBe("application/x");
  });

  it("prefers body over jsonBody", () => {
    expect(webRequestParts(web({ body: "raw", jsonBody: { a: 1 } })).body).toBe("raw");
  });
});

describe("WebMetricProvider", () => {
  it("does not send a request to a URL that is not http(s)", async () => {
    // Lint refuses such a URL as written; it can still arrive through an argument ({{args.url}}).
    const m = Metric.parse({ name: "w", provider: { web: { url: "{{args.url}}" } } });
    m.provider.web!.url = "file:///etc/passwd";
    const r = await new WebMetricProvider().measure(m, ctx);
    expect(r.error).toMatch(/not http:\/\/ or https:\/\//);
    expect(r.query).toBe("GET file:///etc/passwd");
  });

  it("does not send a request to something that is not a URL", async () => {
    const m = Metric.parse({ name: "w", provider: { web: { url: "{{args.url}}" } } });
    m.provider.web!.url = "not a url";
    expect((await new WebMetricProvider().measure(m, ctx)).error).toMatch(/is not a URL/);
  });
});
