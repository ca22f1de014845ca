export { type ApiDeps, createApi } from "./app.js";
export { ApiClient, ApiClientError, type ApiClientErrorCode, type WatchOptions } from "./client.js";
export { type CommandOutcome, OUTCOME_HEADER } from "./command-outcome.js";
export { ROLLOUT_VERBS } from "./commands.js";
export { ApiError, type ApiErrorBody, type ApiErrorCode, type ApiErrorDetail, toErrorResponse } from "./errors.js";
export { PLURALS } from "./kinds.js";
export { type ServedApi, serveApi } from "./serve.js";
export {
  ADDRESS_FILE,
  type ApiAddress,
  ApiStateFileError,
  createToken,
  readApiAddress,
  TOKEN_FILE,
  writeApiAddress,
} from "./state-files.js";
