import type { Server } from "node:http";
import type { DemoApp } from "./app.js";

/** How a graceful shutdown ended: every in-flight request finished, or the deadline cut it short. */
export type ShutdownOutcome = "drained" | "forced";

/**
 * Stops taking new work and lets in-flight requests finish: marks the app not ready, closes the
 * listener and idle keep-alive sockets, then waits for the last request up to `forceAfterMs`.
 */
export async function shutdownGracefully(
  server: Server,
  app: DemoApp,
  opts: { forceAfterMs?: number } = {},
): Promise<ShutdownOutcome> {
  app.beginShutdown();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"forced">((resolve) => {
    timer = setTimeout(() => resolve("forced"), opts.forceAfterMs ?? 10_000);
  });
  const outcome = await Promise.race([app.idle().then(() => "drained" as const), deadline]);
  if (outcome === "drained") {
    // Responses sent with Connection: close end their sockets; anything left is idle.
    server.closeIdleConnections();
    await Promise.race([closed, deadline]);
  }
  clearTimeout(timer);
  if (outcome === "forced") server.closeAllConnections();
  return outcome;
}
