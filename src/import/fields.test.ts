import { describe, expect, it } from "vitest";
import {
  bool,
  child,
  duration,
  formatDurationMs,
  int,
  intOrPercent,
  known,
  ordered,
  str,
  stringMap,
} from "./fields.js";
import { formatNote, Notes } from "./notes.js";

const lines = (n: Notes) => n.notes.map(formatNote);

describe("child", () => {
  it("joins field paths and quotes keys that are not plain names", () => {
    expect(child("", "spec")).toBe("spec");
    expect(child("spec", "steps")).toBe("spec.steps");
    expect(child("spec.steps", 2)).toBe("spec.steps[2]");
    expect(child("plugins", "argoproj-labs/gatewayAPI")).toBe('plugins["argoproj-labs/gatewayAPI"]');
  });
});

describe("known", () => {
  it("warns about every field neither translated nor silently dropped", () => {
    const n = new Notes("f.yaml", "Rollout/a");
    known({ a: 1, b: 2, status: {}, c: undefined }, "spec", n, ["a"], ["status"]);
    expect(lines(n)).toEqual(["warning: f.yaml: Rollout/a spec.b: no Sluice equivalent; dropped"]);
  });
});

describe("scalar readers", () => {
  it("accept the right types and warn about the rest", () => {
    const n = new Notes("f.yaml", "X/y");
    expect(str(5, "a", n)).toBe("5");
    expect(str({}, "b", n)).toBeUndefined();
    expect(int("3", "c", n)).toBe(3);
    expect(int("{{args.count}}", "d", n)).toBeUndefined();
    expect(int(-1, "e", n)).toBeUndefined();
    expect(bool("true", "f", n)).toBe(true);
    expect(bool("yes", "g", n)).toBeUndefined();
    expect(intOrPercent("25%", "h", n)).toBe("25%");
    expect(intOrPercent(2, "i", n)).toBe(2);
    expect(stringMap({ a: "x", b: 1 }, "j", n)).toEqual({ a: "x", b: "1" });
    expect(lines(n)).toEqual([
      "warning: f.yaml: X/y b: expected a string; dropped",
      'warning: f.yaml: X/y d: expected a whole number, got "{{args.count}}"; dropped',
      "warning: f.yaml: X/y e: expected a whole number, got -1; dropped",
      'warning: f.yaml: X/y g: expected true or false, got "yes"; dropped',
    ]);
  });
});

describe("duration", () => {
  it.each([
    [30, 30],
    ["30", 30],
    ["5m", "5m"],
    ["1h30m", "1h30m"],
    ["1m0s", "1m0s"],
    ["1.5h", "1h30m"],
    ["90s", "90s"],
    ["0.5s", "500ms"],
    ["1m30.25s", "1m30s250ms"],
  ] as const)("reads %j as %j", (input, expected) => {
    const n = new Notes("f.yaml", "X/y");
    expect(duration(input, "d", n)).toBe(expected);
    expect(n.notes).toEqual([]);
  });

  it("warns about what is not a duration, or finer than a millisecond", () => {
    const n = new Notes("f.yaml", "X/y");
    expect(duration("5 minutes", "a", n)).toBeUndefined();
    expect(duration("100us", "b", n)).toBeUndefined();
    expect(lines(n)).toEqual([
      'warning: f.yaml: X/y a: cannot read "5 minutes" as a duration (use e.g. 30s, 5m, 1h); dropped',
      'warning: f.yaml: X/y b: cannot read "100us" as a duration (use e.g. 30s, 5m, 1h); dropped',
    ]);
  });

  it("formats milliseconds the way Sluice reads them", () => {
    expect(formatDurationMs(0)).toBe("0s");
    expect(formatDurationMs(3_723_004)).toBe("1h2m3s4ms");
  });
});

describe("ordered", () => {
  it("puts the named keys first and keeps the others after them", () => {
    expect(Object.keys(ordered({ c: 1, b: 2, a: 3 }, ["a", "x", "b"]))).toEqual(["a", "b", "c"]);
  });
});
