/** The HTTP status of a failed client-node call (an ApiException), if it has one. */
export function apiErrorCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}

/** The API server's own words from the Status body of a failed call, else the error's message. */
export function apiErrorMessage(err: unknown): string {
  const body = (err as { body?: unknown } | undefined)?.body;
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      return body.slice(0, 200);
    }
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * A short description of a failed call for messages: the code and the Status message, `HTTP <code>`
 * when the body is not a Status, or the error's own message when there was no answer.
 */
export function describeApiError(err: unknown): string {
  const code = apiErrorCode(err);
  if (code === undefined) return apiErrorMessage(err);
  const body = (err as { body?: unknown }).body;
  try {
    const status = JSON.parse(String(body)) as { message?: string };
    if (status.message) return `${code} ${status.message}`;
  } catch {
    // Not a Status object.
  }
  return `HTTP ${code}`;
}
