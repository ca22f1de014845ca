import { describe, expect, it } from "vitest";
import { count, seconds } from "./controller.js";

describe("sluice controller flags", () => {
  it("takes a whole number of concurrent reconciles from 1 to 64", () => {
    expect(count("--concurrent-reconciles", "4")).toBe(4);
    for (const bad of ["0", "65", "2.5", "many", ""])
      expect(() => count("--concurrent-reconciles", bad)).toThrow(
        `--concurrent-reconciles ${bad}: expected a whole number from 1 to 64`,
      );
  });

  it("takes a positive number of seconds", () => {
    expect(seconds("--lease-duration", "15")).toBe(15);
    expect(seconds("--retry-period", "0.5")).toBe(0.5);
    expect(() => seconds("--renew-deadline", "-1")).toThrow(
      "--renew-deadline -1: expected a positive number of seconds",
    );
  });
});
