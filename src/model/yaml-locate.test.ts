import { describe, expect, it } from "vitest";
import { LineCounter, parseDocument } from "yaml";
import { lineOf } from "./yaml-locate.js";

const text = `apiVersion: v1
spec:
  replicas: 2
  steps:
    - setWeight: 10
    - pause:
        duration: 1m
  base: &anchor
    inner: 1
  copy: *anchor
`;

function locate(path: (string | number)[]) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return lineOf(doc, doc.contents, path, lineCounter);
}

describe("lineOf", () => {
  it("finds the line of a nested key and of list items", () => {
    expect(locate(["spec", "replicas"])).toBe(3);
    expect(locate(["spec", "steps", 1])).toBe(6);
    expect(locate(["spec", "steps", 1, "pause", "duration"])).toBe(7);
  });

  it("falls back to the deepest field that exists, for missing fields", () => {
    expect(locate(["spec", "template"])).toBe(2);
    expect(locate(["spec", "steps", 9, "setWeight"])).toBe(4);
  });

  it("follows aliases", () => {
    expect(locate(["spec", "copy", "inner"])).toBe(9);
  });

  it("gives the document start for the empty path", () => {
    expect(locate([])).toBe(1);
  });
});
