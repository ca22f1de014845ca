import { createServer } from "node:http";
import { createApp } from "./app.js";
import { ConfigError, parseConfig } from "./config.js";
import { createAppMetrics } from "./metrics.js";
import { shutdownGracefully } from "./shutdown.js";

// Entry point: `node --import tsx demo/app/server.ts`. Settings come from the environment (config.ts).

const log = (message: string): void => {
  process.stdout.write(`${new Date().toISOString()} demo-app[${process.pid}] ${message}\n`);
};

let config: ReturnType<typeof parseConfig>;
try {
  config = parseConfig(process.env);
} catch (err) {
  process.stderr.write(`demo-app: ${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(2);
}

if (config.crashAfterSeconds === 0) {
  log(`crashing at start as configured (CRASH_AFTER_SECONDS=0), version ${config.version}`);
  process.exit(1);
}

const app = createApp(config, { metrics: createAppMetrics(config.version, { processMetrics: true }) });
const server = createServer(app.handler);
server.keepAliveTimeout = 5_000;

server.on("error", (err) => {
  log(`cannot listen on ${config.host}:${config.port}: ${err.message}`);
  process.exit(1);
});

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log(`version ${config.version} listening on http://${config.host}:${port}`);
});

if (config.crashAfterSeconds !== undefined) {
  const seconds = config.crashAfterSeconds;
  setTimeout(() => {
    log(`crashing as configured (CRASH_AFTER_SECONDS=${seconds})`);
    process.exit(1);
  }, seconds * 1000).unref();
}

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: draining ${app.inFlight()} in-flight request(s)`);
  shutdownGracefully(server, app, { forceAfterMs: 10_000 }).then((outcome) => {
    log(outcome === "drained" ? "stopped cleanly" : "in-flight requests did not finish within 10 s; exiting anyway");
    process.exit(outcome === "drained" ? 0 : 1);
  });
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
