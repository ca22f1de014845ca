import { describe, expect, it } from "vitest";
import { LoadTargetError, loopbackOrigin } from "./load-runner.js";

describe("generated load target", () => {
  it("sends only to a loopback router; a wildcard listener is reached on 127.0.0.1", () => {
    expect(loopbackOrigin("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080");
    expect(loopbackOrigin("http://127.3.4.5:81/")).toBe("http://127.3.4.5:81");
    expect(loopbackOrigin("http://0.0.0.0:8080")).toBe("http://127.0.0.1:8080");
    expect(loopbackOrigin("http://[::]:8080")).toBe("http://127.0.0.1:8080");
    expect(loopbackOrigin("http://[::1]:8080")).toBe("http://[::1]:8080");
    expect(() => loopbackOrigin("http://192.168.1.5:8080")).toThrow(LoadTargetError);
    expect(() => loopbackOrigin("http://example.com:8080")).toThrow(/not a loopback address/);
  });
});
