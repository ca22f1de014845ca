import { describe, expect, it } from "vitest";
import { RouterStartError, startFailure } from "./router-process.js";

const inUse = [
  JSON.stringify({ time: "t", msg: "resumed saved config", generation: 3 }),
  JSON.stringify({
    time: "t",
    msg: "cannot listen on 127.0.0.1:8080",
    error: "listen EADDRINUSE: address already in use 127.0.0.1:8080",
  }),
  "",
].join("\n");

describe("startFailure", () => {
  it("names a taken address and says to free it or pass --listen, in one line", () => {
    const err = startFailure(inUse, "127.0.0.1:8080", false, "/s", "/s/logs/router.log");
    expect(err).toBeInstanceOf(RouterStartError);
    expect(err.listen).toBe("127.0.0.1:8080");
    expect(err.message).toBe(
      "the router cannot listen on 127.0.0.1:8080: the address is already in use; free the port, or choose another with --listen HOST:PORT (port 0 picks a free one)",
    );
  });

  it("explains that a kept address ignores --listen, and how to drop it", () => {
    const err = startFailure(inUse, "127.0.0.1:8080", true, "/s", "/s/logs/router.log");
    expect(err.message).toMatch(/already in use; it is the address the router had before/);
    expect(err.message).toContain("delete /s/router.json to use --listen");
  });

  it("passes on any other reason from the router's last log line, with the log's path", () => {
    const log = `${JSON.stringify({ msg: "cannot listen on /s/router.sock", error: "EACCES" })}\nnot json at all\n`;
    expect(startFailure(log, "127.0.0.1:0", false, "/s", "/s/logs/router.log").message).toBe(
      "the router exited at start: not json at all (log: /s/logs/router.log)",
    );
    expect(startFailure("", "127.0.0.1:0", false, "/s", "/s/logs/router.log").message).toBe(
      "the router exited at start: it logged no reason (log: /s/logs/router.log)",
    );
  });
});
