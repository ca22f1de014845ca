import { describe, expect, it } from "vitest";
import { ConfigError, defaultFeatures, parseConfig } from "./config.js";

describe("parseConfig", () => {
  it("uses the documented defaults for an empty environment", () => {
    const config = parseConfig({});
    expect(config).toEqual({
      host: "127.0.0.1",
      port: 8080,
      version: "1.0",
      errorRate: 0,
      latencyMs: 0,
      latencyJitterMs: 0,
      crashAfterSeconds: undefined,
      features: defaultFeatures("1.0"),
      readyDelayMs: 0,
    });
  });

  it("reads every setting", () => {
    const config = parseConfig({
      HOST: "127.0.0.2",
      PORT: "0",
      VERSION: "2.0",
      ERROR_RATE: "0.25",
      LATENCY_MS: "40",
      LATENCY_JITTER_MS: "10",
      CRASH_AFTER_SECONDS: "0",
      FEATURES: '{"new-api":true,"dark-mode":false}',
      READY_DELAY_MS: "1500",
    });
    expect(config).toEqual({
      host: "127.0.0.2",
      port: 0,
      version: "2.0",
      errorRate: 0.25,
      latencyMs: 40,
      latencyJitterMs: 10,
      crashAfterSeconds: 0,
      features: { "new-api": true, "dark-mode": false },
      readyDelayMs: 1500,
    });
  });

  it.each([
    ["ERROR_RATE", "abc", /ERROR_RATE: must be a number from 0 to 1, got "abc"/],
    ["ERROR_RATE", "1.5", /ERROR_RATE: must be a number from 0 to 1/],
    ["PORT", "80.5", /PORT: must be a whole number/],
    ["PORT", "70000", /PORT: must be a number from 0 to 65535/],
    ["LATENCY_MS", "-1", /LATENCY_MS: must be a number/],
    ["FEATURES", "{nope", /FEATURES: must be a JSON object of flags/],
    ["FEATURES", "[1]", /FEATURES: must be a JSON object of flags, got \[1\]/],
    ["FEATURES", '{"a":"yes"}', /FEATURES: flag "a" must be true or false/],
  ])("rejects %s=%s with a message naming the variable", (name, value, message) => {
    let caught: unknown;
    try {
      parseConfig({ [name]: value });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(name);
    expect((caught as ConfigError).message).toMatch(message);
  });
});

describe("defaultFeatures", () => {
  it("gives 1.x the legacy flags, 2.0 the new API and 2.1 the experimental set", () => {
    expect(defaultFeatures("1.0")).toMatchObject({ "legacy-ui": true, "new-api": false });
    expect(defaultFeatures("v1.3.2")).toMatchObject({ "legacy-ui": true });
    expect(defaultFeatures("2.0")).toMatchObject({ "legacy-ui": false, "new-api": true, "real-time-updates": true });
    expect(defaultFeatures("2.1")).toEqual({
      "experimental-features": true,
      "unstable-features": true,
      "beta-features": true,
    });
    expect(defaultFeatures("3.0")).toMatchObject({ "new-api": true, "experimental-features": false });
  });

  it("returns a fresh object each time", () => {
    const a = defaultFeatures("1.0");
    a["legacy-ui"] = false;
    expect(defaultFeatures("1.0")["legacy-ui"]).toBe(true);
  });
});
