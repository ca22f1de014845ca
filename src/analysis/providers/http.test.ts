import { describe, expect, it } from "vitest";
import { basicAuth, bodySnippet, describeNetworkError, formatSeconds } from "./http.js";

function codeError(code: string, message = "boom", cause?: unknown): Error {
  return Object.assign(new Error(message, cause === undefined ? {} : { cause }), { code });
}

describe("describeNetworkError", () => {
  it("names a refused connection and says what to check", () => {
    const d = describeNetworkError(codeError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"));
    expect(d.failure).toBe("refused the connection");
    expect(d.hint).toMatch(/running/);
  });

  it("finds the code on a wrapped cause", () => {
    const d = describeNetworkError(new Error("fetch failed", { cause: codeError("ENOTFOUND") }));
    expect(d.failure).toMatch(/does not resolve/);
  });

  it("tells a TLS failure apart and suggests insecure", () => {
    const d = describeNetworkError(codeError("DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"));
    expect(d.failure).toMatch(/TLS verification \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    expect(d.hint).toMatch(/insecure: true/);
  });

  it("keeps an unknown error on one line with its code and first message line", () => {
    const d = describeNetworkError(codeError("EWEIRD", "first line\nsecond line"));
    expect(d.failure).toBe("could not be reached (EWEIRD: first line)");
    expect(d.failure).not.toContain("\n");
  });

  it("copes with something that is not an Error", () => {
    expect(describeNetworkError("plain string").failure).toBe("could not be reached (plain string)");
  });
});

describe("helpers", () => {
  it("encodes basic auth as base64 of user:password", () => {
    expect(basicAuth("alice", "s3cret:x")).toBe(`Basic ${Buffer.from("alice:s3cret:x").toString("base64")}`);
  });

  it("shortens a body to one line", () => {
    expect(bodySnippet("a\n  b\tc")).toBe("a b c");
    expect(bodySnippet("x".repeat(300), 10)).toBe(`${"x".repeat(10)}…`);
  });

  it("formats seconds without trailing noise", () => {
    expect(formatSeconds(2000)).toBe("2s");
    expect(formatSeconds(300)).toBe("0.3s");
  });
});
