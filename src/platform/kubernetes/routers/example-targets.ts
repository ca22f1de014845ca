import type { RouterTargets } from "./port.js";

/**
 * The targets the router tests share: a rollout in namespace `shop` with stable `aaaa` behind
 * `web-stable` and canary `bbbb` behind `web-canary`; `over` changes or adds fields.
 *
 * @example exampleTargets({ baselineService: "web-baseline" })
 */
export function exampleTargets(over: Partial<RouterTargets> = {}): RouterTargets {
  return {
    namespace: "shop",
    stableHash: "aaaa",
    canaryHash: "bbbb",
    stableService: "web-stable",
    canaryService: "web-canary",
    ...over,
  };
}
