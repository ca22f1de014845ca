/** The dashboard's only way to the controller: the public HTTP API, with the session cookie. */

/** An error answer of the API: its `code` and one-line `message`. */
export class RequestError extends Error {
  override readonly name = "RequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Calls the API as the signed-in person. Changes carry the header the API requires of
 * cookie-authenticated requests, so another site cannot make them.
 */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { "x-sluice-dashboard": "1" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new RequestError(
      res.status,
      err?.code ?? String(res.status),
      err?.message ?? (text.slice(0, 300) || res.statusText),
    );
  }
  return json as T;
}
