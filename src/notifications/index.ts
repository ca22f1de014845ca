export * from "./errors.js";
export * from "./match.js";
export * from "./notifier.js";
export * from "./payload.js";
export * from "./pipeline-payload.js";
export * from "./webhook.js";
