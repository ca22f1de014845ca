import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, type DemoApp, type DemoAppOptions } from "./app.js";
import { type AppConfig, parseConfig } from "./config.js";

/** A demo app served in-process on an ephemeral 127.0.0.1 port, for tests. */
export interface TestServer {
  app: DemoApp;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts the handler for `env` (parsed like the real server) on 127.0.0.1:0. */
export async function startTestServer(
  env: Record<string, string> = {},
  opts: DemoAppOptions & { config?: Partial<AppConfig> } = {},
): Promise<TestServer> {
  const config = { ...parseConfig(env), ...opts.config };
  const app = createApp(config, opts);
  const server = createServer(app.handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    app,
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
