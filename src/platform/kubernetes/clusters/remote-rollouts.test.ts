import { createServer } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { RemoteRollouts, RemoteStageError } from "./remote-rollouts.js";

async function closedPort(): Promise<number> {
  const s = createServer();
  const port = await new Promise<number>((resolve) =>
    s.listen(0, "127.0.0.1", () => resolve((s.address() as { port: number }).port)),
  );
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function kcFor(port: number): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "c", server: `https://127.0.0.1:${port}` }],
    users: [{ name: "u", token: "t" }],
    contexts: [{ name: "x", cluster: "c", user: "u" }],
    currentContext: "x",
  });
  return kc;
}

describe("RemoteRollouts without a reachable target", () => {
  it("is unreachable with the reason, knows nothing, and refuses to write", async () => {
    const remote = new RemoteRollouts("prod", kcFor(await closedPort()), "apps", 2_000);
    const view = await remote.refresh();
    expect(view).toMatchObject({ reachable: false, error: "ECONNREFUSED" });
    expect(view.lastContact).toBeUndefined();
    expect(remote.lastKnown("web")).toBeUndefined();
    const err = await remote.apply("web", { replicas: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteStageError);
    expect((err as RemoteStageError).unreachable).toBe(true);
    expect((err as Error).message).toBe("rollout apps/web in cluster prod: cluster unreachable (ECONNREFUSED)");
  });
});
