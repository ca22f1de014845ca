export {
  applyRelease,
  BASE_TEMPLATE_ANNOTATION,
  RELEASE_ANNOTATION,
  releaseOf,
  releaseOnBase,
} from "./apply-release.js";
export { pipelineChecks, stageRolloutChecks } from "./lint-checks.js";
export { plan, promoteRefusal } from "./plan.js";
export { gateRunName } from "./run-names.js";
export * from "./types.js";
export { nextWindowOpening, windowOpenAt } from "./window.js";
