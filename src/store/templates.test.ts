import { describe, expect, it } from "vitest";
import type { WorkloadTemplate } from "../model/index.js";
import { TemplateTable } from "./templates.js";
import { fakeClock, memoryDb } from "./test-db.js";

const tpl = (command: string) => ({ process: { command } }) as unknown as WorkloadTemplate;

describe("TemplateTable", () => {
  it("numbers revisions per rollout in the order first seen and keeps the first template of a hash", () => {
    const t = new TemplateTable(memoryDb(), fakeClock().now);
    t.put("web", "h1", tpl("v1"));
    t.put("web", "h2", tpl("v2"));
    t.put("web", "h1", tpl("ignored"));
    t.put("api", "h9", tpl("x"));
    expect(t.list("web")).toEqual([
      { hash: "h1", number: 1, template: tpl("v1") },
      { hash: "h2", number: 2, template: tpl("v2") },
    ]);
    expect(t.list("api")).toEqual([{ hash: "h9", number: 1, template: tpl("x") }]);
  });

  it("takes an explicit number and deletes a rollout's templates", () => {
    const t = new TemplateTable(memoryDb(), fakeClock().now);
    t.put("web", "h1", tpl("v1"), 7);
    t.put("web", "h2", tpl("v2"));
    expect(t.list("web").map((x) => x.number)).toEqual([7, 8]);
    expect(t.deleteAll("web")).toBe(2);
    expect(t.list("web")).toEqual([]);
  });
});
