import { describe, expect, it } from "vitest";
import { Notification } from "../model/notification.js";
import type { ImportContext } from "./context.js";
import type { Obj } from "./fields.js";
import { flaggerAlerts } from "./flagger-alerts.js";
import { formatNote, Notes } from "./notes.js";

const provider = (name: string, spec: Obj) => ({
  apiVersion: "flagger.app/v1beta1",
  kind: "AlertProvider",
  metadata: { name, namespace: "test" },
  spec,
});

function translate(alerts: unknown, providers: Obj[]) {
  const notes = new Notes("c.yaml", "Canary/podinfo");
  const providerNotes = new Notes("c.yaml", "AlertProvider");
  const asked: string[] = [];
  const ctx: ImportContext = {
    notes,
    find: (kind, name, namespace) => {
      asked.push(`${kind} ${namespace}/${name}`);
      const found = providers.find((p) => (p.metadata as Obj).name === name);
      return kind === "AlertProvider" && found ? { value: found, notes: providerNotes } : undefined;
    },
  };
  const out = flaggerAlerts(alerts, "spec.analysis.alerts", "test", ctx);
  // Every notification written must be one Sluice accepts.
  for (const n of out) Notification.parse(n);
  return { out, asked, lines: [...notes.notes, ...providerNotes.notes].map(formatNote) };
}

describe("flaggerAlerts", () => {
  it("turns a Slack provider with a secretRef into a Slack webhook read from that Secret", () => {
    const { out, lines, asked } = translate(
      [{ name: "on-call", severity: "error", providerRef: { name: "slack", namespace: "flagger" } }],
      [provider("slack", { type: "slack", channel: "ops", secretRef: { name: "slack-url" } })],
    );
    expect(asked).toEqual(["AlertProvider flagger/slack"]);
    expect(out).toEqual([
      {
        name: "on-call",
        on: ["RolloutAborted", "ProgressDeadlineExceeded"],
        webhook: { format: "slack", urlFrom: { secretKeyRef: { name: "slack-url", key: "address" } } },
      },
    ]);
    expect(lines).toEqual([
      "warning: c.yaml: AlertProvider spec.channel: Sluice posts to the webhook URL as it is; dropped",
    ]);
  });

  it("keeps Sluice's default reasons for info, narrows them for warn, and posts JSON to other provider types", () => {
    const { out, lines } = translate(
      [
        { name: "all", providerRef: { name: "teams" } },
        { name: "trouble", severity: "warn", providerRef: { name: "teams" } },
      ],
      [provider("teams", { type: "msteams", address: "https://example.test/hook" })],
    );
    expect(out).toEqual([
      { name: "all", webhook: { format: "json", url: "https://example.test/hook" } },
      {
        name: "trouble",
        on: ["RolloutAborted", "ProgressDeadlineExceeded", "Paused"],
        webhook: { format: "json", url: "https://example.test/hook" },
      },
    ]);
    // One warning for the provider, however many alerts use it.
    expect(lines.filter((l) => l.includes("msteams"))).toHaveLength(1);
    expect(lines[0]).toContain("spec.type: msteams: Sluice sends its JSON body to it");
  });

  it("reads a Secret named after a provider that is not in the input, and says so", () => {
    const { out, lines } = translate([{ name: "slack", providerRef: { name: "elsewhere" } }], []);
    expect(out).toEqual([
      { name: "slack", webhook: { format: "slack", urlFrom: { secretKeyRef: { name: "elsewhere", key: "address" } } } },
    ]);
    expect(lines).toEqual([
      'warning: c.yaml: Canary/podinfo spec.analysis.alerts[0].providerRef: AlertProvider elsewhere is not in the input; the webhook URL is read from Secret "elsewhere" key "address": create it or change spec.notifications',
    ]);
  });

  it("drops an alert without a provider, and notifies an unknown severity as info", () => {
    const { out, lines } = translate(
      [{ name: "none" }, { name: "odd", severity: "critical", providerRef: { name: "slack" } }],
      [provider("slack", { type: "slack", address: "https://hooks.example.test/x" })],
    );
    expect(out).toEqual([{ name: "odd", webhook: { format: "slack", url: "https://hooks.example.test/x" } }]);
    expect(lines).toEqual([
      "warning: c.yaml: Canary/podinfo spec.analysis.alerts[0]: names no AlertProvider; dropped",
      'warning: c.yaml: Canary/podinfo spec.analysis.alerts[1].severity: unknown severity "critical"; notified as info',
    ]);
  });
});
