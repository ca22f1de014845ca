import { describe, expect, it } from "vitest";
import { formatPath, ManifestError, parsePath, ValidationError } from "./errors.js";

describe("formatPath / parsePath", () => {
  it("writes keys with dots and indexes in brackets", () => {
    expect(formatPath(["spec", "strategy", "canary", "steps", 2, "setWeight"])).toBe(
      "spec.strategy.canary.steps[2].setWeight",
    );
    expect(formatPath([0, "spec"])).toBe("[0].spec");
    expect(formatPath([])).toBe("");
  });

  it("quotes keys that are not plain names, such as label keys", () => {
    expect(formatPath(["metadata", "labels", "app.kubernetes.io/name"])).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
  });

  it("parses what it formats", () => {
    for (const path of [
      ["spec", "metrics", 0, "successCondition"],
      ["metadata", "labels", "app.kubernetes.io/name", "x"],
      [3, "spec"],
      ["a-b", "c_d", 10],
    ]) {
      expect(parsePath(formatPath(path))).toEqual(path);
    }
    expect(parsePath("")).toEqual([]);
  });
});

describe("ManifestError", () => {
  it("prints file:line path: message for a single-document file", () => {
    const e = new ManifestError({ file: "rollout.yaml", line: 14, path: "spec.replicas", message: "bad" });
    expect(String(e)).toBe("rollout.yaml:14 spec.replicas: bad");
  });

  it("names the document when the file has several", () => {
    const e = new ManifestError({ file: "all.yaml", docIndex: 2, documents: 3, line: 20, path: "kind", message: "x" });
    expect(e.toString()).toBe("all.yaml[doc 2]:20 kind: x");
    expect(e.location()).toBe("all.yaml[doc 2]:20");
  });

  it("leaves out what is unknown: no line, no path", () => {
    expect(String(new ManifestError({ file: "<input>", path: "spec", message: "m" }))).toBe("<input> spec: m");
    expect(String(new ManifestError({ file: "a.yaml", line: 3, message: "YAML syntax: oops" }))).toBe(
      "a.yaml:3 YAML syntax: oops",
    );
  });

  it("serialises to plain JSON for the API", () => {
    const e = new ManifestError({ file: "a.yaml", line: 3, path: "spec", message: "m" });
    expect(JSON.parse(JSON.stringify(e))).toEqual({ file: "a.yaml", docIndex: 1, line: 3, path: "spec", message: "m" });
  });
});

describe("ValidationError", () => {
  it("carries the errors and joins their one-line forms as its message", () => {
    const errors = [
      new ManifestError({ file: "a.yaml", line: 1, path: "kind", message: "one" }),
      new ManifestError({ file: "a.yaml", line: 2, path: "spec", message: "two" }),
    ];
    const err = new ValidationError(errors);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("ValidationError");
    expect(err.errors).toBe(errors);
    expect(err.message).toBe("a.yaml:1 kind: one\na.yaml:2 spec: two");
  });
});
