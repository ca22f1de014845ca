import { describe, expect, it } from "vitest";
import { flaggerWebhooks } from "./flagger-webhooks.js";
import { formatNote, Notes } from "./notes.js";

const LOADTESTER = "http://flagger-loadtester.test/";

function run(hooks: unknown[], dropUnsupported = false) {
  const notes = new Notes("c.yaml", "Canary/podinfo", 3, dropUnsupported);
  const confirm = flaggerWebhooks(hooks, "spec.analysis.webhooks", notes);
  return { confirm, lines: notes.notes.map(formatNote), hasErrors: notes.hasErrors };
}

const TAIL =
  "and Sluice cannot call webhooks yet; not imported, as it would be less guarded than its source (pass --drop-unsupported to import it without this)";

describe("flaggerWebhooks", () => {
  it("refuses gates and hooks on the load tester: the type decides, not the URL", () => {
    const { confirm, lines } = run([
      { name: "approve-start", type: "confirm-rollout", url: `${LOADTESTER}gate/check` },
      {
        name: "acceptance",
        type: "pre-rollout",
        url: LOADTESTER,
        metadata: { type: "bash", cmd: "curl -sf http://podinfo-canary/ready" },
      },
      { name: "step-gate", type: "confirm-traffic-increase", url: `${LOADTESTER}gate/check` },
      { name: "promote-gate", type: "confirm-promotion", url: `${LOADTESTER}gate/approve` },
      { name: "cleanup", type: "post-rollout", url: LOADTESTER },
      { name: "kill-switch", type: "rollback", url: `${LOADTESTER}rollback/check` },
    ]);
    expect(confirm).toBe(false);
    const at = (i: number) => `error: c.yaml:3: Canary/podinfo spec.analysis.webhooks[${i}]`;
    expect(lines).toEqual([
      `${at(0)}: confirm-rollout webhook "approve-start" is an approval gate before the rollout starts, ${TAIL}`,
      `${at(1)}: pre-rollout webhook "acceptance" is a check before traffic is shifted, ${TAIL}`,
      `${at(2)}: confirm-traffic-increase webhook "step-gate" is an approval gate before each weight increase, ${TAIL}`,
      `${at(3)}: confirm-promotion webhook "promote-gate" is an approval gate before promotion, ${TAIL}`,
      `${at(4)}: post-rollout webhook "cleanup" is a hook after promotion or rollback, ${TAIL}`,
      `${at(5)}: rollback webhook "kill-switch" is a rollback trigger during the analysis, ${TAIL}`,
    ]);
  });

  it("treats only a rollout webhook running a load generator as load generation (a warning)", () => {
    const { lines, hasErrors } = run([
      { name: "load", url: LOADTESTER, metadata: { cmd: "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/" } },
      {
        name: "grpc-load",
        type: "rollout",
        url: LOADTESTER,
        metadata: { cmd: "/usr/local/bin/ghz --insecure podinfo:9999" },
      },
      { name: "notify", type: "event", url: "http://events.test/" },
    ]);
    expect(hasErrors).toBe(false);
    expect(lines).toEqual([
      'warning: c.yaml: Canary/podinfo spec.analysis.webhooks[0]: load-test webhook "load": Sluice does not generate load; run your load generator yourself; dropped',
      'warning: c.yaml: Canary/podinfo spec.analysis.webhooks[1]: load-test webhook "grpc-load": Sluice does not generate load; run your load generator yourself; dropped',
      'warning: c.yaml: Canary/podinfo spec.analysis.webhooks[2]: event webhook "notify": use spec.notifications to be told of rollout events; dropped',
    ]);
  });

  it("refuses a rollout webhook that checks rather than loads, even on the load tester", () => {
    const { lines } = run([
      {
        name: "smoke",
        type: "rollout",
        url: LOADTESTER,
        metadata: { type: "bash", cmd: "curl -s http://podinfo-canary/ab-test | grep ok" },
      },
    ]);
    expect(lines).toEqual([
      `error: c.yaml:3: Canary/podinfo spec.analysis.webhooks[0]: rollout webhook "smoke" is a check during the analysis, ${TAIL}`,
    ]);
  });

  it("with --drop-unsupported warns loudly, and a confirm-promotion gate becomes a pause", () => {
    const { confirm, lines, hasErrors } = run(
      [
        { name: "acceptance", type: "pre-rollout", url: LOADTESTER },
        { name: "promote-gate", type: "confirm-promotion", url: `${LOADTESTER}gate/approve` },
      ],
      true,
    );
    expect(hasErrors).toBe(false);
    expect(confirm).toBe(true);
    const dropped = "DROPPED (--drop-unsupported): the imported resource is less guarded than its source";
    expect(lines).toEqual([
      `warning: c.yaml: Canary/podinfo spec.analysis.webhooks[0]: pre-rollout webhook "acceptance" is a check before traffic is shifted, and Sluice cannot call webhooks yet; ${dropped}`,
      `warning: c.yaml: Canary/podinfo spec.analysis.webhooks[1]: confirm-promotion webhook "promote-gate" is an approval gate before promotion, and Sluice cannot call webhooks yet (a pause before promotion stands in: approve with sluice promote); ${dropped}`,
    ]);
  });
});
