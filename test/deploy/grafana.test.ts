import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/controller.js";
import { waitFor } from "../helpers/wait.js";
import { type MonitoredSluice, releaseToPause, startMonitoredSluice } from "./monitored-sluice.js";

// deploy/grafana/sluice.json: its shape is one Grafana loads, and every PromQL expression in it,
// with the template variables substituted as Grafana would, parses and returns series on a real
// Prometheus scraping a real `sluice up` with traffic. (promtool cannot check dashboards.)
const DASHBOARD = `${REPO_ROOT}deploy/grafana/sluice.json`;
/** Grafana's reference to the datasource variable (a literal, not a JavaScript template). */
const DATASOURCE_VAR = ["$", "{datasource}"].join("");

interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown; allValue?: string }[] };
}
const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== "row");
const targets = queryPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));

/** Grafana's substitution of the dashboard's variables, for a selected rollout or All. */
function substitute(expr: string, rollout: string): string {
  return expr
    .replaceAll("$__rate_interval", "15s")
    .replaceAll("$__interval", "5s")
    .replaceAll("$__range", "5m")
    .replaceAll("$rollout", rollout);
}

describe("deploy/grafana/sluice.json", () => {
  it("is a dashboard Grafana loads as it is: a Prometheus datasource variable every query uses, unique ids, panels on the grid", () => {
    expect(dashboard.uid).toBe("sluice");
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const vars = dashboard.templating.list;
    expect(vars.find((v) => v.name === "datasource")).toMatchObject({ type: "datasource", query: "prometheus" });
    expect(vars.find((v) => v.name === "rollout")).toMatchObject({ type: "query", allValue: ".*" });
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of queryPanels) {
      expect(p.datasource, p.title).toEqual({ type: "prometheus", uid: DATASOURCE_VAR });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      for (const t of p.targets ?? []) expect(t.datasource.uid, p.title).toBe(DATASOURCE_VAR);
    }
    // What issue 17 asks the dashboard to show.
    const text = targets.map((t) => t.expr).join("\n");
    for (const metric of [
      "sluice_rollout_phase",
      "sluice_rollout_weight",
      "sluice_analysis_verdicts_total",
      "sluice_rollout_aborts_total",
      "sluice_router_requests_total",
      "sluice_router_request_duration_seconds_bucket",
    ])
      expect(text).toContain(metric);
  });

  describe("on a real Prometheus scraping a real sluice up with traffic", () => {
    let env: MonitoredSluice | undefined;
    afterAll(async () => {
      await env?.stop();
    });

    it("every expression parses and returns series, for one rollout and for All", async () => {
      env = await startMonitoredSluice();
      const { controller, query, prometheus } = env;
      // A release whose analysis reaches a verdict, then an abort: every panel has something to show.
      await releaseToPause(controller);
      await controller.api.post("/rollouts/web/abort", {});

      // The rollout variable's label_values() query, as Grafana runs it against Prometheus.
      const labels = await fetch(
        `${prometheus.url}/api/v1/label/rollout/values?match[]=${encodeURIComponent("sluice_rollout_phase")}`,
      );
      expect(((await labels.json()) as { data: string[] }).data).toEqual(["web"]);

      for (const rollout of ["web", ".*"]) {
        for (const t of targets) {
          const expr = substitute(t.expr, rollout);
          expect(expr, `${t.panel}: a variable left unsubstituted`).not.toMatch(/\$/);
          const series = await waitFor(
            async () => {
              const result = await query(expr); // throws on a parse error
              return result.length > 0 ? result : undefined;
            },
            { timeoutMs: 20_000, intervalMs: 500, message: `${t.panel} (${t.refId}) returning series: ${expr}` },
          );
          expect(series.length, t.panel).toBeGreaterThan(0);
        }
      }

      // The numbers mean what the panels say: the abort put all weight back on stable and was counted.
      const weights = await waitFor(async () => {
        const r = await query('sluice_rollout_weight{rollout="web",role="stable"} == 100');
        return r.length === 1 ? r : undefined;
      });
      expect(weights[0]?.metric.role).toBe("stable");
      const aborts = await query('sum by (reason) (sluice_rollout_aborts_total{rollout="web"})');
      expect(aborts.map((a) => Number(a.value[1]))).toEqual([1]);
      const verdicts = await query('sum by (verdict) (sluice_analysis_verdicts_total{rollout="web"})');
      expect(verdicts.map((v) => v.metric.verdict)).toContain("Successful");
      // A variable that selects no rollout gives no series: the checks above could fail.
      expect(await query(substitute('sluice_rollout_weight{rollout=~"$rollout"}', "nosuch"))).toEqual([]);
    }, 150_000);
  });
});
