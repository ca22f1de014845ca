import { describe, expect, it } from "vitest";
import { Metric } from "../../model/index.js";
import { createProviders, providerKind } from "./index.js";

describe("createProviders", () => {
  it("serves each kind with a provider of that kind", () => {
    const providers = createProviders({ getTelemetry: async () => [] });
    for (const [kind, provider] of Object.entries(providers)) expect(provider.kind).toBe(kind);
    expect(Object.keys(providers).sort()).toEqual(["builtin", "command", "prometheus", "web"]);
  });

  it("wires getTelemetry into the builtin provider", async () => {
    const providers = createProviders({
      getTelemetry: async () => {
        throw new Error("router down");
      },
    });
    const m = Metric.parse({ name: "b", provider: { builtin: {} } });
    const r = await providers.builtin.measure(m, { args: {}, rollout: "r", canaryRevision: "c" });
    expect(r.error).toMatch(/router down/);
  });
});

describe("providerKind", () => {
  it("names the provider key that is set", () => {
    expect(providerKind(Metric.parse({ name: "a", provider: { command: { command: ["true"] } } }))).toBe("command");
    expect(providerKind(Metric.parse({ name: "b", provider: { web: { url: "http://127.0.0.1/" } } }))).toBe("web");
  });

  it("is undefined for a metric with no provider (not validated)", () => {
    expect(providerKind({ name: "x", provider: {} } as Metric)).toBeUndefined();
  });
});
