export * from "./analysis.js";
export * from "./duration.js";
export * from "./meta.js";
export * from "./notification.js";
export * from "./rollout.js";
export * from "./strategy.js";
export * from "./workload.js";
