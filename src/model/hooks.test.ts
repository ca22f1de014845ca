import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GateStatus, HookType, RolloutHook, RolloutHooks } from "./hooks.js";
import { Rollout } from "./rollout.js";

const rollout = (hooks: unknown, steps: unknown[] = [{ setWeight: 10 }]) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web" },
  spec: { template: { process: { command: "node" } }, strategy: { canary: { steps } }, hooks },
});

describe("hooks", () => {
  it("takes every Flagger webhook type as a hook", () => {
    for (const type of HookType.options)
      expect(RolloutHook.safeParse({ name: "h", type, webhook: { url: "http://127.0.0.1/x" } }).success).toBe(true);
  });

  it("refuses with the field path: two kinds, a manual check, a duplicate name, a timeout on a check", () => {
    const issues = (hooks: unknown) =>
      (Rollout.safeParse(rollout(hooks)).error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(issues([{ name: "a", type: "event", webhook: { url: "http://x/" }, manual: {} }])).toContain(
      "spec.hooks.0: set exactly one of webhook, command, job or manual",
    );
    expect(issues([{ name: "a", type: "pre-rollout", manual: {} }])[0]).toMatch(
      /^spec\.hooks\.0\.manual: a manual hook must be a gate/,
    );
    expect(
      issues([
        { name: "a", type: "event", webhook: { url: "http://x/" } },
        { name: "a", type: "event", webhook: { url: "http://x/" } },
      ]),
    ).toContain('spec.hooks.1.name: hook "a" is listed twice');
    expect(issues([{ name: "a", type: "rollout", webhook: { url: "http://x/" }, timeout: { after: "1m" } }])).toContain(
      "spec.hooks.0.timeout: only gates (confirm-*) take a timeout",
    );
  });

  it("refuses gates and checks on a blue-green rollout, which would not hold on them", () => {
    const bg = {
      ...rollout([{ name: "ship", type: "confirm-promotion", manual: {} }]),
    } as { spec: Record<string, unknown> };
    bg.spec.strategy = { blueGreen: {} };
    const issues = (Rollout.safeParse(bg).error?.issues ?? []).map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(issues).toEqual([
      "spec.hooks.0.type: blue-green rollouts run only event and post-rollout hooks for now; confirm-promotion needs a canary strategy",
    ]);
    bg.spec.hooks = [{ name: "told", type: "post-rollout", webhook: { url: "http://127.0.0.1/x" } }];
    expect(Rollout.safeParse(bg).success).toBe(true);
  });

  it("a gate step takes a name and an optional timeout", () => {
    expect(Rollout.safeParse(rollout(undefined, [{ gate: { name: "qa", timeout: { after: "2h" } } }])).success).toBe(
      true,
    );
    expect(Rollout.safeParse(rollout(undefined, [{ gate: { name: "QA!" } }])).success).toBe(false);
  });

  it("property: any input is parsed or refused, never thrown, and what parses stays within the bounds", () => {
    const anyHook = fc.record(
      {
        name: fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom("a", "gate-1")),
        type: fc.oneof(fc.constantFrom(...HookType.options), fc.string()),
        webhook: fc.oneof(fc.constant({ url: "http://127.0.0.1/h" }), fc.anything()),
        manual: fc.constant({}),
        timeoutSeconds: fc.oneof(fc.double(), fc.integer()),
        retries: fc.oneof(fc.integer(), fc.double()),
        retryBackoffSeconds: fc.double(),
        intervalSeconds: fc.integer(),
        failureLimit: fc.integer(),
        timeout: fc.record({ after: fc.oneof(fc.string(), fc.integer()), action: fc.string() }),
        metadata: fc.dictionary(fc.string(), fc.string()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(anyHook, { maxLength: 60 }), (hooks) => {
        const parsed = RolloutHooks.safeParse(hooks);
        if (!parsed.success) return;
        expect(parsed.data.length).toBeLessThanOrEqual(50);
        for (const h of parsed.data) {
          expect(h.retries).toBeLessThanOrEqual(10);
          expect(h.timeoutSeconds).toBeLessThanOrEqual(600);
          expect(h.intervalSeconds).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.anything(), (v) => {
        GateStatus.safeParse(v);
      }),
      { numRuns: 200 },
    );
  });
});
