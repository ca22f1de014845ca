import { describe, expect, it } from "vitest";
import { apiErrorCode, apiErrorMessage } from "./api-errors.js";

describe("API errors", () => {
  it("reads the code and the Status message of an ApiException-like error", () => {
    const err = Object.assign(new Error("HTTP-Code: 404"), {
      code: 404,
      body: JSON.stringify({ kind: "Status", message: 'rollouts.sluice.dev "web" not found' }),
    });
    expect(apiErrorCode(err)).toBe(404);
    expect(apiErrorMessage(err)).toBe('rollouts.sluice.dev "web" not found');
  });

  it("falls back to the raw body, then to the message", () => {
    expect(apiErrorMessage({ body: "upstream connect error" })).toBe("upstream connect error");
    expect(apiErrorMessage(new Error("ECONNREFUSED 127.0.0.1:6443"))).toBe("ECONNREFUSED 127.0.0.1:6443");
    expect(apiErrorCode(new Error("x"))).toBeUndefined();
  });
});
