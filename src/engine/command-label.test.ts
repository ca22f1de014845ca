import { describe, expect, it } from "vitest";
import { commandLabel } from "./command-label.js";
import type { RolloutCommand } from "./types.js";

describe("commandLabel", () => {
  it.each<[RolloutCommand, string]>([
    [{ type: "promote" }, "promote"],
    [{ type: "promoteFull" }, "promote --full"],
    [{ type: "undo" }, "undo"],
    [{ type: "undo", toRevision: 3 }, "undo --to-revision 3"],
    [{ type: "setEnv", env: { A: "s3cret", B: null } }, "set env A=(hidden) B-"],
    [{ type: "setArgs", args: ["--fast", "x"] }, "set args --fast x"],
    [{ type: "setCommand", command: "node" }, "set command node"],
  ])("%j reads as sluice %s", (command, label) => {
    expect(commandLabel(command)).toBe(label);
  });
});
