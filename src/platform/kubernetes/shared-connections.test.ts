import { Agent } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { shareConnections } from "./shared-connections.js";

function config(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server, skipTLSVerify: server.startsWith("http:") }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

/** The agent client-node puts on a request's context, as its generated clients do before each call. */
async function agentOf(kc: KubeConfig): Promise<unknown> {
  let agent: unknown;
  await kc.applySecurityAuthentication({
    setHeaderParam: () => {},
    setAgent: (a: unknown) => {
      agent = a;
    },
  } as unknown as Parameters<KubeConfig["applySecurityAuthentication"]>[0]);
  return agent;
}

describe("shareConnections", () => {
  it("gives every request the same keep-alive agent, where client-node would build a new one each time", async () => {
    const kc = config("https://127.0.0.1:6443");
    expect(await agentOf(kc)).not.toBe(await agentOf(kc));

    const shared = shareConnections(kc);
    const first = await agentOf(kc);
    expect(first).toBeInstanceOf(Agent);
    expect((first as Agent & { keepAlive?: boolean }).keepAlive).toBe(true);
    expect(await agentOf(kc)).toBe(first);
    expect(shared.agents).toBe(1);

    shared.close();
    expect(shared.agents).toBe(0);
    expect(await agentOf(kc)).not.toBe(first);
  });

  it("leaves plain-HTTP clusters to client-node", async () => {
    const kc = config("http://127.0.0.1:8080");
    const shared = shareConnections(kc);
    expect(await agentOf(kc)).not.toBe(await agentOf(kc));
    expect(shared.agents).toBe(0);
  });
});
