import { describe, expect, it } from "vitest";
import { Metric } from "../../model/index.js";
import { CommandMetricProvider, createProviders, KubeCommandProvider, KubeJobs, providerKind } from "./index.js";
import type { JobClient } from "./job.js";

describe("createProviders", () => {
  it("serves each kind with a provider of that kind", () => {
    const providers = createProviders({ getTelemetry: async () => [] });
    for (const [kind, provider] of Object.entries(providers)) expect(provider.kind).toBe(kind);
    expect(Object.keys(providers).sort()).toEqual(["builtin", "command", "job", "prometheus", "web"]);
  });

  it("runs commands as child processes locally, and as Jobs (or in process only when allowed) on Kubernetes", async () => {
    const local = createProviders({ getTelemetry: async () => [] });
    expect(local.command).toBeInstanceOf(CommandMetricProvider);
    const jobs = new KubeJobs({ client: {} as JobClient, namespace: "shop" });
    const kube = createProviders({ getTelemetry: async () => [], jobs });
    expect(kube.command).toBeInstanceOf(KubeCommandProvider);
    const noImage = Metric.parse({ name: "c", provider: { command: { command: ["true"], result: "exitCode" } } });
    const ctx = { args: {}, rollout: "r", canaryRevision: "c" };
    expect((await kube.command.measure(noImage, ctx)).error).toMatch(/--allow-local-commands/);
    const allowed = createProviders({ getTelemetry: async () => [], jobs, allowLocalCommands: true });
    expect(await allowed.command.measure(noImage, ctx)).toMatchObject({ value: true });
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
