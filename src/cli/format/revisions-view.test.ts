import { describe, expect, it } from "vitest";
import { renderRevisions } from "./revisions-view.js";

describe("renderRevisions", () => {
  it("lists the newest revision first with what changed against stable under it", () => {
    const text = renderRevisions([
      { hash: "aaa1234567890", number: 1, role: "stable", weight: 60, summary: "app: image shop:1; env none" },
      {
        hash: "aaa1234567890-baseline",
        number: 1,
        role: "baseline",
        weight: 20,
        summary: "app: image shop:1; env none",
        changes: [],
      },
      {
        hash: "bbb1234567890",
        number: 2,
        role: "canary",
        weight: 20,
        summary: "app: image shop:2; env none",
        changes: ["app: image shop:1 → shop:2"],
      },
    ]);
    expect(text.split("\n")).toEqual([
      "Revision templates:",
      "  #2 canary 20%  bbb1234567  app: image shop:2; env none",
      "       app: image shop:1 → shop:2",
      "  #1 baseline 20%  aaa1234567  app: image shop:1; env none",
      "       same template as stable",
      "  #1 stable 60%  aaa1234567  app: image shop:1; env none",
    ]);
  });

  it("says when a template is no longer kept, and prints nothing for no revisions", () => {
    expect(renderRevisions([{ hash: "c", number: 3, role: "old", weight: 0 }])).toContain("(template no longer kept)");
    expect(renderRevisions([])).toBe("");
  });
});
