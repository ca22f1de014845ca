import { ApiClient } from "../api/client.js";
import type { Output } from "./output.js";

/** One request a {@link fakeApi} received. */
export interface SentRequest {
  method: string;
  /** The path under /api/v1, with its query. */
  path: string;
  body: unknown;
  authorization: string | null;
}

/** What a route answers: a status and a JSON body. */
export type FakeAnswer = { status?: number; body: unknown };

/**
 * An ApiClient whose requests never leave the process: `routes` maps `"METHOD /path?query"` to an
 * answer (or a function of the request). An unknown route answers 404 as the API does. For command
 * tests that check what a command sends and prints.
 */
export function fakeApi(routes: Record<string, FakeAnswer | ((req: SentRequest) => FakeAnswer)>): {
  api: ApiClient;
  sent: SentRequest[];
} {
  const sent: SentRequest[] = [];
  const api = new ApiClient("http://fake", "token", {
    fetch: async (url, init) => {
      const u = new URL(url);
      const req: SentRequest = {
        method: init.method ?? "GET",
        path: `${u.pathname.replace(/^\/api\/v1/, "")}${u.search}`,
        body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
        authorization: new Headers(init.headers).get("authorization"),
      };
      sent.push(req);
      const route = routes[`${req.method} ${req.path}`];
      const answer =
        typeof route === "function"
          ? route(req)
          : (route ?? { status: 404, body: { error: { code: "NotFound", message: `${req.path} not found` } } });
      return new Response(JSON.stringify(answer.body), {
        status: answer.status ?? 200,
        headers: { "content-type": "application/json" },
      });
    },
  });
  return { api, sent };
}

/** An Output that keeps what a command printed. */
export function captureOutput(isTTY = false): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTTY, log: (t) => stdout.push(t), error: (t) => stderr.push(t) };
}
