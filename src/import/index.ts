export { ORIGINAL_CONDITION_ANNOTATION } from "./argo-analysis.js";
export {
  type InputDocument,
  type ParsedInput,
  parseManifests,
  type ReadOptions,
  readManifests,
  STDIN,
} from "./documents.js";
export { UntranslatableError } from "./errors.js";
export { type CelTranslation, exprToCel } from "./expr-to-cel.js";
export { formatNote, type ImportNote } from "./notes.js";
export {
  type ImportOptions,
  type ImportResult,
  importPaths,
  importText,
  renderResources,
  translateManifests,
} from "./translate.js";
