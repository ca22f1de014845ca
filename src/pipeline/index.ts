export { applyRelease, RELEASE_ANNOTATION, releaseOf } from "./apply-release.js";
export { pipelineChecks, stageRolloutChecks } from "./lint-checks.js";
export { plan, promoteRefusal } from "./plan.js";
export { gateRunName } from "./run-names.js";
export * from "./types.js";
export { nextWindowOpening, windowOpenAt } from "./window.js";
