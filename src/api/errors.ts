import { NotFoundError, PipelineRequestError } from "../ports/control-plane.js";

/** The stable error codes of the API. Clients branch on these, never on messages. */
export type ApiErrorCode = "NotFound" | "Invalid" | "Unauthorized" | "Forbidden" | "Conflict" | "TooLarge" | "Internal";

/** One problem in a request, e.g. one field of one manifest. */
export interface ApiErrorDetail {
  file?: string;
  line?: number;
  path: string;
  message: string;
}

/** Every error response has this body. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; path?: string; details?: ApiErrorDetail[] };
}

/** HTTP status for each code. */
export const STATUS_OF: Record<ApiErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 500> = {
  Invalid: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  TooLarge: 413,
  Internal: 500,
};

/** A request the API itself rejects (bad body, unknown kind or verb), with the code to answer with. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly path: string | undefined;
  readonly details: ApiErrorDetail[] | undefined;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options: { path?: string; details?: ApiErrorDetail[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.path = options.path;
    this.details = options.details;
  }
}

/** Errors that mean "this request does not fit the resource's current state", by class name. */
const CONFLICT_NAMES = new Set(["EngineError", "ConflictError"]);

/**
 * Turns anything a handler threw into a status and an error body. Manifest validation errors are
 * recognised by shape (a `ValidationError` with an `errors` list), so this module does not depend
 * on how the model builds them. Unknown errors become Internal with their message, never a stack.
 */
export function toErrorResponse(err: unknown): {
  status: 400 | 401 | 403 | 404 | 409 | 413 | 500;
  body: ApiErrorBody;
} {
  const body = (code: ApiErrorCode, message: string, path?: string, details?: ApiErrorDetail[]) => ({
    status: STATUS_OF[code],
    body: {
      error: {
        code,
        message,
        ...(path !== undefined && path !== "" ? { path } : {}),
        ...(details && details.length > 0 ? { details } : {}),
      },
    },
  });
  if (err instanceof ApiError) return body(err.code, err.message, err.path, err.details);
  if (err instanceof NotFoundError) return body("NotFound", err.message);
  if (err instanceof PipelineRequestError) return body(err.code, err.message);
  if (isValidationError(err)) {
    const details = err.errors.map(toDetail);
    return body("Invalid", err.message, details[0]?.path, details);
  }
  if (err instanceof Error && CONFLICT_NAMES.has(err.name)) return body("Conflict", err.message);
  return body("Internal", err instanceof Error ? err.message : String(err));
}

function isValidationError(err: unknown): err is Error & { errors: unknown[] } {
  return err instanceof Error && err.name === "ValidationError" && Array.isArray((err as { errors?: unknown }).errors);
}

function toDetail(e: unknown): ApiErrorDetail {
  const o = (e ?? {}) as Record<string, unknown>;
  return {
    ...(typeof o.file === "string" ? { file: o.file } : {}),
    ...(typeof o.line === "number" ? { line: o.line } : {}),
    path: typeof o.path === "string" ? o.path : "",
    message: typeof o.message === "string" ? o.message : String(e),
  };
}
