import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { REPO_ROOT } from "../helpers/controller.js";
import { waitFor } from "../helpers/wait.js";
import { type MonitoredSluice, releaseToPause, startMonitoredSluice } from "./monitored-sluice.js";

// The shipped alerting rules: promtool checks and unit-tests them, and a real Prometheus scraping
// a real `sluice up` fires SluiceRolloutAborted when a rollout is aborted.
const PROMTOOL = process.env.PROMTOOL_BINARY ?? "/usr/bin/promtool";
const RULES = `${REPO_ROOT}deploy/prometheus/rules.yaml`;
const CHART_RULES = `${REPO_ROOT}deploy/helm/sluice/files/prometheus-rules.yaml`;

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}
const shipped = () => parse(readFileSync(RULES, "utf8")) as { groups: { name: string; rules: Rule[] }[] };

const dir = mkdtempSync(path.join(tmpdir(), "sluice-alerts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function promtool(...args: string[]): { status: number | null; output: string } {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} not found; install it with: apt-get install -y prometheus`);
  const r = spawnSync(PROMTOOL, args, { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("deploy/prometheus/rules.yaml", () => {
  it("passes promtool check rules, names every alert the docs describe, and the chart ships the same file", () => {
    const check = promtool("check", "rules", RULES);
    expect(check.output).toMatch(/SUCCESS: 5 rules found/);
    expect(check.status).toBe(0);
    const alerts = shipped().groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual([
      "SluiceRolloutAborted",
      "SluiceRolloutWaitingForPerson",
      "SluiceAnalysisErroring",
      "SluiceControllerDown",
      "SluiceRouterErrors",
    ]);
    const docs = readFileSync(`${REPO_ROOT}docs/monitoring.md`, "utf8");
    for (const a of alerts) expect(docs).toContain(a);
    expect(readFileSync(CHART_RULES, "utf8")).toBe(readFileSync(RULES, "utf8"));
  });

  it("a broken rule file fails promtool (the check above can fail)", () => {
    const bad = path.join(dir, "bad.yaml");
    const rules = shipped();
    rules.groups[0]!.rules[0]!.expr = "sum by (rollout (sluice_rollout_phase";
    writeFileSync(bad, stringify(rules));
    expect(promtool("check", "rules", bad).status).not.toBe(0);
  });

  it("each alert fires on the series it is meant for and stays quiet otherwise (promtool test rules)", () => {
    const tests = {
      rule_files: [RULES],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            { series: 'sluice_rollout_phase{rollout="web",phase="Degraded"}', values: "0 0 1x10" },
            { series: 'sluice_rollout_phase{rollout="api",phase="Degraded"}', values: "0x12" },
            { series: 'sluice_rollout_phase{rollout="web",phase="Paused"}', values: "1x90" },
            { series: 'sluice_rollout_phase{rollout="api",phase="Paused"}', values: "1x30 0x60" },
            { series: 'sluice_rollout_current_step{rollout="web"}', values: "2x90" },
            {
              series: 'sluice_analysis_verdicts_total{rollout="web",metric="p95",verdict="Error"}',
              values: "_x5 1x40",
            },
            {
              series: 'sluice_analysis_verdicts_total{rollout="web",metric="rate",verdict="Successful"}',
              values: "1x40",
            },
            { series: 'up{job="sluice-controller",instance="a"}', values: "1x5 0x10" },
            { series: 'sluice_router_requests_total{rollout="web",revision="bad",code="2xx"}', values: "0+540x20" },
            { series: 'sluice_router_requests_total{rollout="web",revision="bad",code="5xx"}', values: "0+60x20" },
            { series: 'sluice_router_requests_total{rollout="web",revision="good",code="2xx"}', values: "0+600x20" },
            { series: 'sluice_router_requests_total{rollout="web",revision="good",code="5xx"}', values: "0+6x20" },
            {
              series: 'sluice_router_requests_total{rollout="web",revision="good",code="5xx",traffic="generated"}',
              values: "0+600x20",
            },
          ],
          alert_rule_test: [
            { eval_time: "1m", alertname: "SluiceRolloutAborted", exp_alerts: [] },
            {
              eval_time: "4m",
              alertname: "SluiceRolloutAborted",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning", rollout: "web" },
                  exp_annotations: annotations("SluiceRolloutAborted", { rollout: "web" }),
                },
              ],
            },
            { eval_time: "50m", alertname: "SluiceRolloutWaitingForPerson", exp_alerts: [] },
            {
              eval_time: "70m",
              alertname: "SluiceRolloutWaitingForPerson",
              exp_alerts: [
                {
                  exp_labels: { severity: "info", rollout: "web" },
                  exp_annotations: annotations("SluiceRolloutWaitingForPerson", { rollout: "web" }, "2"),
                },
              ],
            },
            { eval_time: "4m", alertname: "SluiceAnalysisErroring", exp_alerts: [] },
            {
              eval_time: "7m",
              alertname: "SluiceAnalysisErroring",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning", rollout: "web", metric: "p95" },
                  exp_annotations: annotations("SluiceAnalysisErroring", { rollout: "web", metric: "p95" }),
                },
              ],
            },
            { eval_time: "30m", alertname: "SluiceAnalysisErroring", exp_alerts: [] },
            { eval_time: "8m", alertname: "SluiceControllerDown", exp_alerts: [] },
            {
              eval_time: "12m",
              alertname: "SluiceControllerDown",
              exp_alerts: [
                {
                  exp_labels: { severity: "critical", job: "sluice-controller", instance: "a" },
                  exp_annotations: annotations("SluiceControllerDown", {}),
                },
              ],
            },
            {
              eval_time: "15m",
              alertname: "SluiceRouterErrors",
              exp_alerts: [
                {
                  exp_labels: { severity: "warning", rollout: "web", revision: "bad" },
                  exp_annotations: annotations(
                    "SluiceRouterErrors",
                    { rollout: "web", revision: "bad" },
                    undefined,
                    "10%",
                  ),
                },
              ],
            },
          ],
        },
      ],
    };
    const file = path.join(dir, "rules.test.yaml");
    writeFileSync(file, stringify(tests));
    const r = promtool("test", "rules", file);
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });
});

/** The shipped annotations rendered the way Prometheus would for these labels (a tiny template subset). */
function annotations(alert: string, labels: Record<string, string>, step?: string, value?: string) {
  const rule = shipped()
    .groups.flatMap((g) => g.rules)
    .find((r) => r.alert === alert) as Rule & {
    annotations: Record<string, string>;
  };
  const render = (text: string) =>
    text
      .replace(/\{\{ with printf .*?\{\{ end \}\}/g, step ?? "")
      .replace(/\{\{ \$value \| humanizePercentage \}\}/g, value ?? "")
      .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? "");
  return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, render(v)]));
}

describe("alerts on a real Prometheus scraping a real sluice up", () => {
  let env: MonitoredSluice | undefined;
  afterAll(async () => {
    await env?.stop();
  });

  it("fires SluiceRolloutAborted when a rollout is aborted, not before", async () => {
    // The shipped expressions, with short `for:` so the test need not wait minutes.
    const copy = shipped();
    for (const r of copy.groups.flatMap((g) => g.rules)) if (r.for) r.for = "2s";
    const file = path.join(dir, "rules.yaml");
    writeFileSync(file, stringify(copy));
    env = await startMonitoredSluice({ ruleFiles: [file] });
    const { controller, prometheus } = env;
    await releaseToPause(controller);

    const aborted = async () => {
      const res = await fetch(`${prometheus.url}/api/v1/alerts`);
      const body = (await res.json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
      return body.data.alerts.filter((a) => a.labels.alertname === "SluiceRolloutAborted");
    };
    // Rules evaluated at least twice after the rollout paused: nothing aborted, so no alert.
    const pausedAt = Date.now();
    await waitFor(
      async () => {
        const res = await fetch(`${prometheus.url}/api/v1/rules`);
        const body = (await res.json()) as { data: { groups: { lastEvaluation: string }[] } };
        const last = Date.parse(body.data.groups[0]?.lastEvaluation ?? "");
        return last > pausedAt + 2_000;
      },
      { timeoutMs: 15_000, message: "rules evaluated after the pause" },
    );
    expect(await aborted()).toEqual([]);

    await controller.api.post("/rollouts/web/abort", {});
    const firing = await waitFor(
      async () => {
        const alerts = await aborted();
        return alerts.some((a) => a.state === "firing") ? alerts : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, message: "SluiceRolloutAborted firing" },
    );
    expect(firing).toHaveLength(1);
    expect(firing[0]?.labels).toMatchObject({ rollout: "web", severity: "warning" });
  }, 120_000);
});
