import { describe, expect, it } from "vitest";
import { validateResource } from "./validate.js";

function rollout(canary: Record<string, unknown>) {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: { template: { process: { command: "node" } }, strategy: { canary } },
  };
}
const messages = (raw: unknown) => validateResource(raw).issues.map((i) => `${i.path.join(".")}: ${i.message}`);
const headerRoute = (headerValue: Record<string, string>) =>
  rollout({ steps: [{ setHeaderRoute: { name: "beta", match: [{ headerName: "x-beta", headerValue }] } }] });

describe("route match patterns in a Rollout", () => {
  it("refuses a regex the router cannot compile, naming the field", () => {
    expect(messages(headerRoute({ regex: "(" }))).toEqual([
      expect.stringMatching(
        /^spec\.strategy\.canary\.steps\.0\.setHeaderRoute\.match\.0\.headerValue\.regex: invalid regex "\(": missing \)/,
      ),
    ]);
  });

  it("refuses lookaround, which RE2 does not run, in every matched field", () => {
    const steps = [
      {
        setMirrorRoute: {
          name: "m",
          match: [{ cookieName: "c", cookieValue: { regex: "a(?=b)" }, method: { regex: "GET|POST" } }],
        },
      },
    ];
    const out = messages(rollout({ steps }));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/setMirrorRoute\.match\.0\.cookieValue\.regex: invalid regex/);
  });

  it("accepts a pattern that would backtrack elsewhere: RE2 runs it in linear time", () => {
    expect(messages(headerRoute({ regex: "(a+)+" }))).toEqual([]);
  });

  it("refuses a sticky-session cookie name the router cannot set", () => {
    expect(messages(rollout({ steps: [], stickySession: { cookieName: "my cookie" } }))).toEqual([
      expect.stringMatching(/^spec\.strategy\.canary\.stickySession\.cookieName: must be a cookie name/),
    ]);
  });
});
