export { applyCommand } from "./commands.js";
export { EngineError } from "./errors.js";
export { canonicalJson, revisionHash } from "./hash.js";
export { reconcile } from "./reconcile.js";
export { describeStep, stepLabel } from "./steps.js";
export { buildTraffic } from "./traffic.js";
export * from "./types.js";
