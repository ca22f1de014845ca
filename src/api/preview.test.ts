import { describe, expect, it } from "vitest";
import type { Resource } from "../ports/control-plane.js";
import { noticeWithPreviewUrl, withPreviewUrl } from "./preview.js";

const rollout = (strategy: unknown, status?: unknown) =>
  ({ kind: "Rollout", metadata: { name: "r" }, spec: { strategy }, ...(status ? { status } : {}) }) as Resource;
const known = () => "http://127.0.0.1:4000";

describe("withPreviewUrl", () => {
  it("adds the address to a blue-green rollout with a status, leaving the input alone", () => {
    const bg = rollout({ blueGreen: {} }, { phase: "Healthy" });
    expect(withPreviewUrl(bg, known)).toMatchObject({
      status: { phase: "Healthy", previewUrl: "http://127.0.0.1:4000" },
    });
    expect(bg).not.toHaveProperty("status.previewUrl");
  });

  it("leaves canaries, rollouts without status, unknown previews and other kinds as they are", () => {
    const canary = rollout({ canary: { steps: [] } }, { phase: "Healthy" });
    expect(withPreviewUrl(canary, known)).toBe(canary);
    const fresh = rollout({ blueGreen: {} });
    expect(withPreviewUrl(fresh, known)).toBe(fresh);
    const bg = rollout({ blueGreen: {} }, { phase: "Healthy" });
    expect(withPreviewUrl(bg, () => undefined)).toBe(bg);
    expect(withPreviewUrl(bg, undefined)).toBe(bg);
    const notice = { type: "deleted", kind: "Rollout", name: "r" } as const;
    expect(noticeWithPreviewUrl(notice, known)).toBe(notice);
  });
});
