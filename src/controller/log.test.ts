import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, LogOptionError } from "./log.js";

function sink(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  const chunks: string[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join("") };
}

describe("controller logger", () => {
  it("writes JSON with a level when the destination is not a terminal", () => {
    const s = sink(false);
    createLogger({ destination: s.stream }).info({ rollout: "web" }, "promoted");
    const entry = JSON.parse(s.text());
    expect(entry).toMatchObject({ level: 30, msg: "promoted", rollout: "web" });
    expect(typeof entry.time).toBe("string");
  });

  it("writes one text line on a terminal", async () => {
    const s = sink(true);
    createLogger({ destination: s.stream }).warn({ rollout: "web" }, "analysis inconclusive");
    await new Promise((r) => setImmediate(r));
    expect(s.text()).toMatch(/^\S+ WARN {2}analysis inconclusive rollout=web\n$/);
  });

  it("--log-format overrides the terminal guess; --log-level drops quieter lines", () => {
    const s = sink(true);
    const log = createLogger({ destination: s.stream, format: "json", level: "warn" });
    log.info("hidden");
    log.error("shown");
    const lines = s.text().trim().split("\n");
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["shown"]);
  });

  it("refuses an unknown format or level in one line naming what works", () => {
    expect(() => createLogger({ format: "xml" })).toThrow(LogOptionError);
    expect(() => createLogger({ format: "xml" })).toThrow(/use json or text/);
    expect(() => createLogger({ level: "loud" })).toThrow(/--log-level "loud" is not known/);
  });
});
