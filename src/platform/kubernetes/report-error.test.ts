import { describe, expect, it } from "vitest";
import { reportError } from "./report-error.js";

describe("reportError", () => {
  it("passes the error to the callback", () => {
    const seen: unknown[] = [];
    const err = new Error("watch closed");
    reportError((e) => seen.push(e), err);
    expect(seen).toEqual([err]);
  });

  it("swallows a callback that throws, and accepts none", () => {
    expect(() =>
      reportError(() => {
        throw new Error("logger broken");
      }, new Error("x")),
    ).not.toThrow();
    expect(() => reportError(undefined, new Error("x"))).not.toThrow();
  });
});
