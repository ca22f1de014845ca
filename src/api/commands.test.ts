import { describe, expect, it } from "vitest";
import { parseCommand } from "./commands.js";
import { ApiError } from "./errors.js";

function rejects(verb: string, body: unknown): ApiError {
  try {
    parseCommand(verb, body);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error(`expected ${verb} to be rejected`);
}

describe("parseCommand", () => {
  it("maps the verbs without a body", () => {
    expect(
      ["promote", "promote-full", "abort", "retry", "pause", "resume", "restart"].map((v) =>
        parseCommand(v, undefined),
      ),
    ).toEqual([
      { type: "promote" },
      { type: "promoteFull" },
      { type: "abort" },
      { type: "retry" },
      { type: "pause" },
      { type: "resume" },
      { type: "restart" },
    ]);
  });

  it("maps undo with and without a revision", () => {
    expect(parseCommand("undo", undefined)).toEqual({ type: "undo" });
    expect(parseCommand("undo", {})).toEqual({ type: "undo" });
    expect(parseCommand("undo", { toRevision: 2 })).toEqual({ type: "undo", toRevision: 2 });
    expect(rejects("undo", { toRevision: 0 }).path).toBe("toRevision");
    expect(rejects("undo", { toRevision: 1.5 }).code).toBe("Invalid");
  });

  it("maps set to exactly one change", () => {
    expect(parseCommand("set", { env: { A: "1", B: null } })).toEqual({ type: "setEnv", env: { A: "1", B: null } });
    expect(parseCommand("set", { args: ["--x"] })).toEqual({ type: "setArgs", args: ["--x"] });
    expect(parseCommand("set", { command: "node" })).toEqual({ type: "setCommand", command: "node" });
    expect(parseCommand("set", { command: "node", args: [] })).toEqual({
      type: "setCommand",
      command: "node",
      args: [],
    });
  });

  it("rejects set bodies that do not fit, naming the field", () => {
    expect(rejects("set", {}).message).toMatch(/one of env, args or command/);
    expect(rejects("set", { env: { A: "1" }, args: ["x"] }).path).toBe("env");
    expect(rejects("set", { env: { A: 1 } }).path).toBe("env.A");
    expect(rejects("set", { env: {} }).path).toBe("env");
    expect(rejects("set", { args: ["ok", 2] }).path).toBe("args[1]");
    expect(rejects("set", { command: "" }).path).toBe("command");
    expect(rejects("set", { image: "x" }).path).toBe("image");
    expect(rejects("set", [1]).code).toBe("Invalid");
  });

  it("answers NotFound for an unknown verb", () => {
    expect(rejects("explode", {}).code).toBe("NotFound");
  });
});
