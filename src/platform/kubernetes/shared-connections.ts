import { Agent } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

type CreateAgent = (
  cluster: { server?: string; proxyUrl?: string } | null,
  options: Record<string, unknown>,
) => unknown;

/** What {@link shareConnections} returns: close the pooled connections when the process is done with them. */
export interface SharedConnections {
  /** How many distinct agents (TLS identities) the pool holds. */
  readonly agents: number;
  close(): void;
}

/**
 * Makes every request through `kc` reuse one keep-alive HTTPS agent per TLS identity.
 * client-node 1.4 builds a new agent for every call, so each request opens a new TLS connection
 * and parses the client key again: at 1,000 rollouts that was most of the controller's CPU (see
 * docs/benchmarks.md). Credentials that travel in headers (tokens, exec plugins) are unaffected;
 * proxies and plain HTTP keep client-node's own agents.
 */
export function shareConnections(kc: KubeConfig): SharedConnections {
  const target = kc as unknown as { createAgent: CreateAgent };
  const original = target.createAgent.bind(kc);
  const pool = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    if (!cluster?.server?.startsWith("https:") || cluster.proxyUrl) return original(cluster, options);
    const key = JSON.stringify([
      cluster.server,
      String(options.ca ?? ""),
      String(options.cert ?? ""),
      String(options.key ?? ""),
      options.rejectUnauthorized,
      options.servername,
    ]);
    let agent = pool.get(key);
    if (!agent) {
      agent = new Agent({ ...options, keepAlive: true });
      pool.set(key, agent);
    }
    return agent;
  };
  return {
    get agents() {
      return pool.size;
    },
    close() {
      for (const agent of pool.values()) agent.destroy();
      pool.clear();
      target.createAgent = original;
    },
  };
}
