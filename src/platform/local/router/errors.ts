import type { RouteRefusal } from "./config.js";

/** A call to the router's admin socket failed: the router is down, answered an error, or sent nonsense. */
export class RouterError extends Error {
  override readonly name = "RouterError";
  constructor(
    message: string,
    /** The admin server's HTTP status, when it answered at all. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A router configuration that cannot be served: wrong shape, a bad regex, an unparsable endpoint. */
export class RouterConfigError extends Error {
  override readonly name = "RouterConfigError";
  constructor(
    /** What is wrong, without the path. */
    readonly reason: string,
    /** Where in the config, e.g. `rollouts[0].traffic.weights.abc`. */
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(path ? `${path}: ${reason}` : reason, options);
  }
}

/** The router would not serve one rollout's route; it keeps that rollout's last accepted route. */
export class RouteRefusedError extends Error {
  override readonly name = "RouteRefusedError";
  constructor(readonly refusal: RouteRefusal) {
    super(
      `the router refused the route of rollout "${refusal.rollout}"${refusal.path ? ` at ${refusal.path}` : ""}: ${refusal.message}`,
    );
  }
}

/** A config older than the one being served; the router keeps the newer one. */
export class StaleGenerationError extends Error {
  override readonly name = "StaleGenerationError";
  constructor(
    readonly offered: number,
    readonly current: number,
  ) {
    super(`generation ${offered} is older than the served generation ${current}`);
  }
}
