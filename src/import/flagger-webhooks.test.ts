import { describe, expect, it } from "vitest";
import { RolloutHooks } from "../model/index.js";
import { flaggerWebhooks } from "./flagger-webhooks.js";
import { formatNote, Notes } from "./notes.js";

const LOADTESTER = "http://flagger-loadtester.test/";

function run(hooks: unknown[], threshold = 1) {
  const notes = new Notes("c.yaml", "Canary/podinfo", 3, false);
  const { hooks: out } = flaggerWebhooks(hooks, "spec.analysis.webhooks", notes, undefined, threshold);
  return { hooks: out, lines: notes.notes.map(formatNote), hasErrors: notes.hasErrors };
}

describe("flaggerWebhooks", () => {
  it("maps every webhook type to the hook of the same name, dropping none; the type decides, not the URL", () => {
    const { hooks, hasErrors } = run(
      [
        { name: "approve-start", type: "confirm-rollout", url: `${LOADTESTER}confirm` },
        {
          name: "acceptance test",
          type: "pre-rollout",
          url: LOADTESTER,
          timeout: "30s",
          retries: 2,
          metadata: { type: "bash", cmd: "curl -sf http://podinfo-canary/ready" },
        },
        { name: "step-gate", type: "confirm-traffic-increase", url: `${LOADTESTER}traffic` },
        { name: "promote-gate", type: "confirm-promotion", url: "https://approvals.test/check" },
        { name: "cleanup", type: "post-rollout", url: LOADTESTER },
        { name: "kill-switch", type: "rollback", url: `${LOADTESTER}rollback/check` },
        { name: "smoke", url: LOADTESTER, metadata: { cmd: "curl -s http://podinfo-canary/ab | grep ok" } },
        { name: "notify", type: "event", url: "http://events.test/" },
      ],
      5,
    );
    expect(hasErrors).toBe(false);
    expect(hooks).toEqual([
      { name: "approve-start", type: "confirm-rollout", webhook: { url: `${LOADTESTER}confirm` } },
      {
        name: "acceptance-test",
        type: "pre-rollout",
        webhook: { url: LOADTESTER },
        timeoutSeconds: 30,
        retries: 2,
        failureLimit: 4,
        metadata: { type: "bash", cmd: "curl -sf http://podinfo-canary/ready" },
      },
      { name: "step-gate", type: "confirm-traffic-increase", webhook: { url: `${LOADTESTER}traffic` } },
      { name: "promote-gate", type: "confirm-promotion", webhook: { url: "https://approvals.test/check" } },
      { name: "cleanup", type: "post-rollout", webhook: { url: LOADTESTER } },
      { name: "kill-switch", type: "rollback", webhook: { url: `${LOADTESTER}rollback/check` } },
      {
        name: "smoke",
        type: "rollout",
        webhook: { url: LOADTESTER },
        failureLimit: 4,
        metadata: { cmd: "curl -s http://podinfo-canary/ab | grep ok" },
      },
      { name: "notify", type: "event", webhook: { url: "http://events.test/" } },
    ]);
    expect(RolloutHooks.safeParse(hooks).success).toBe(true);
  });

  it("the load tester's in-memory gates become manual gates, said in a warning", () => {
    const { hooks, lines } = run([
      { name: "gate", type: "confirm-promotion", url: `${LOADTESTER}gate/check` },
      { name: "gate", type: "confirm-rollout", url: `${LOADTESTER}gate/approve` },
    ]);
    expect(hooks).toEqual([
      { name: "gate", type: "confirm-promotion", manual: {} },
      { name: "gate-2", type: "confirm-rollout", manual: {} },
    ]);
    expect(lines[0]).toBe(
      'warning: c.yaml: Canary/podinfo spec.analysis.webhooks[0]: confirm-promotion webhook "gate" uses the load tester\'s /gate/check: now a manual gate that survives restarts; open it with `sluice gate open`',
    );
    expect(lines[1]).toContain("approved it every time");
    expect(RolloutHooks.safeParse(hooks).success).toBe(true);
  });

  it("a load generator other than hey is dropped with a warning; a webhook without url or of an unknown type is refused", () => {
    const { hooks, lines } = run([
      {
        name: "grpc-load",
        type: "rollout",
        url: LOADTESTER,
        metadata: { cmd: "/usr/local/bin/ghz --insecure podinfo:9999" },
      },
      { name: "nourl", type: "pre-rollout" },
      { name: "odd", type: "pre-flight", url: LOADTESTER },
    ]);
    expect(hooks).toEqual([]);
    expect(lines[0]).toMatch(/^warning: .*load-test webhook "grpc-load".*dropped$/);
    expect(lines[1]).toMatch(/^error: c\.yaml:3: .*webhooks\[1\]: pre-rollout webhook "nourl" has no http\(s\) url/);
    expect(lines[2]).toMatch(
      /^error: .*webhooks\[2\]: webhook "odd" has type "pre-flight", which Flagger does not define/,
    );
  });
});
