import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../src/api/client.js";
import { LoadGenerator } from "../../src/demo/load.js";
import type { RecordedEntry } from "../../src/ports/control-plane.js";
import { ControllerProcess } from "../helpers/controller.js";
import { demoRollout, isHealthy, waitForRollout } from "../helpers/rollouts.js";
import { waitFor } from "../helpers/wait.js";
import { freePort, launch, newContext, screenshot, seriousA11yViolations, signIn } from "./helpers.js";

// These callbacks run in the page, where the DOM exists; the Node program's types have no DOM.
declare const document: {
  cookie: string;
  documentElement: { scrollWidth: number };
  activeElement: { textContent: string | null } | null;
};
declare const window: { innerWidth: number };

// The dashboard in a real browser (Debian's chromium) against a real `sluice up`: the router carries
// real HTTP to demo-app replicas, the judge decides, people act through the page with named tokens.
// One controller and one browser serve every test in this file, in order.

// A bad canary meets two metrics: the router's telemetry against a lenient condition (it keeps
// passing, and draws canary vs stable), and the statistical judge, which rolls back on evidence.
const healthTemplate = {
  apiVersion: "sluice.dev/v1alpha1",
  kind: "AnalysisTemplate",
  metadata: { name: "canary-health" },
  spec: {
    metrics: [
      {
        name: "success-rate",
        interval: "1s",
        count: 60,
        inconclusiveLimit: 30,
        successCondition: "result.canary.successRate >= 0.5",
        provider: { builtin: { window: "5s", minRequests: 20 } },
      },
      { name: "errors", interval: "1s", provider: { builtin: {} }, judge: { errorRate: {}, maxDuration: "60s" } },
    ],
  },
};
const steppedCanary = {
  canary: {
    steps: [{ setWeight: 20 }, { pause: { duration: "3s" } }, { setWeight: 60 }, { pause: { duration: "3s" } }],
  },
};
const judgedCanary = {
  canary: { steps: [{ setWeight: 50 }, { analysis: { templates: [{ templateName: "canary-health" }] } }] },
};
const quickCanary = { canary: { steps: [{ setWeight: 50 }], scaleDownDelaySeconds: 0 } };

let c: ControllerProcess;
let browser: Browser;
let load: LoadGenerator;
let apiUrl = "";
const tokens: Record<string, string> = {};
const pages: Page[] = [];

async function page(role: "operator" | "approver" | "viewer", opts: Parameters<typeof newContext>[1] = {}) {
  const context = await newContext(browser, opts);
  const p = await context.newPage();
  pages.push(p);
  await signIn(p, apiUrl, tokens[role] ?? "");
  return p;
}

async function recordOf(name: string): Promise<RecordedEntry[]> {
  return c.api.get<RecordedEntry[]>(`/pipelines/${name}/record`);
}

beforeAll(async () => {
  const port = await freePort();
  c = await new ControllerProcess(undefined, {}, ["--api-listen", `127.0.0.1:${port}`]).start();
  apiUrl = `http://127.0.0.1:${port}`;
  for (const [name, role] of [
    ["olivia", "operator"],
    ["alice", "approver"],
    ["victor", "viewer"],
  ] as const)
    tokens[role] = (await c.api.post<{ token: string }>("/tokens", { name, role })).token;
  await c.api.post("/apply", {
    resources: [
      healthTemplate,
      demoRollout("web", { VERSION: "1.0" }, steppedCanary),
      demoRollout("shop-a", { VERSION: "1.0" }, quickCanary, 1),
      demoRollout("shop-b", { VERSION: "1.0" }, quickCanary, 1),
      {
        apiVersion: "sluice.dev/v1alpha1",
        kind: "Pipeline",
        metadata: { name: "shop" },
        spec: {
          stages: [
            { name: "staging", rollout: "shop-a" },
            {
              name: "prod",
              rollout: "shop-b",
              approval: { required: 1, from: { roles: ["approver"] }, timeout: "1h" },
            },
          ],
        },
      },
    ],
  });
  browser = await launch();
  await Promise.all(["web", "shop-a", "shop-b"].map((n) => waitForRollout(c.api, n, isHealthy)));
  load = new LoadGenerator({ url: c.routerUrl, host: "web", ratePerSecond: 100 });
  load.start();
}, 120_000);

afterAll(async () => {
  await load?.stop();
  await browser?.close();
  await c?.destroy();
}, 60_000);

describe("the dashboard in chromium", () => {
  it("signs in with a token and shows every rollout and pipeline; a wrong token is refused", async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    pages.push(p);
    await p.goto(`${apiUrl}/dashboard/`);
    await p.getByLabel("API token").fill("sluice_wrong");
    await p.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => p.getByRole("alert").textContent()).toMatch(/wrong API token/);
    const cookies = await context.cookies();
    expect(cookies.filter((k) => k.name === "sluice_session")).toEqual([]);

    await signIn(p, apiUrl, tokens.operator ?? "");
    const session = (await context.cookies()).find((k) => k.name === "sluice_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");
    expect(await p.evaluate(() => document.cookie)).toBe("");
    for (const name of ["web", "shop-a", "shop-b", "shop"])
      await p.locator(`tr[data-name="${name}"]`).waitFor({ timeout: 10_000 });
    await expect.poll(() => p.locator(".me").textContent()).toMatch(/olivia.*operator/);
    await p.getByRole("searchbox").fill("shop");
    await expect.poll(() => p.locator("tbody tr").count()).toBe(3);
    await p.getByRole("searchbox").fill("");
    await screenshot(p, "overview");
    await p.getByRole("button", { name: "Sign out" }).click();
    await p.getByLabel("API token").waitFor();
    // Signed out means the cookie no longer works, not just a hidden page.
    expect((await context.cookies()).filter((k) => k.name === "sluice_session")).toEqual([]);
  });

  it("shows a canary progress live: the weight bar follows each step without a reload", async () => {
    const p = await page("operator");
    await p.goto(`${apiUrl}/dashboard/#/rollouts/web`);
    await p.locator('[data-role="stable"][data-weight="100"]').waitFor();
    const navigations: string[] = [];
    p.on("framenavigated", (f) => navigations.push(f.url()));
    await c.api.post("/rollouts/web/set", { env: { VERSION: "2.0" } });
    await p.locator('[data-role="canary"][data-weight="20"]').waitFor({ timeout: 30_000 });
    await p.locator('.steps li[aria-current="step"]').waitFor();
    // The canary's row says what it changes against stable: the env name, never its value.
    await p.locator('tr[data-revision="canary"] .changes li', { hasText: "env VERSION changed" }).waitFor();
    expect(await p.locator('tr[data-revision="canary"]').textContent()).not.toContain("2.0");
    await screenshot(p, "rollout-progressing");
    await p.locator('[data-role="canary"][data-weight="60"]').waitFor({ timeout: 30_000 });
    await p.locator('[data-role="stable"][data-weight="40"]').waitFor();
    await waitFor(async () => (await p.getByTestId("phase").textContent()) === "Healthy", {
      timeoutMs: 30_000,
      message: "the page to show the rollout Healthy",
    });
    expect(await p.locator('[data-role="canary"]').count()).toBe(0);
    // Every change arrived over the watch stream: the page never navigated or reloaded.
    expect(navigations).toEqual([]);
    await expect.poll(() => p.locator(".timeline li").count()).toBeGreaterThan(2);
  });

  it("shows a bad canary rolled back by the judge, with its verdict, canary-vs-baseline and canary-vs-stable charts, and each measurement's value, condition and query", async () => {
    const p = await page("operator");
    await p.goto(`${apiUrl}/dashboard/#/rollouts/web`);
    await c.api.post("/apply", {
      resources: [demoRollout("web", { VERSION: "3.0", ERROR_RATE: "0.3" }, judgedCanary)],
    });
    await waitFor(async () => (await p.getByTestId("phase").textContent()) === "Degraded", {
      timeoutMs: 60_000,
      message: "the page to show the rollout Degraded",
    }).catch(async (err) => {
      await screenshot(p, "failed-rolled-back");
      const r = await c.api.get<{ status?: unknown }>("/rollouts/web");
      throw new Error(`${(err as Error).message}; rollout status: ${JSON.stringify(r.status).slice(0, 1500)}`);
    });
    await p.locator('[data-role="stable"][data-weight="100"]').waitFor();
    const run = p.locator("article.run").first();
    await run.locator("h3 .phase").getByText("Failed").waitFor({ timeout: 10_000 });
    // The judge's verdict in words, and its evidence: canary against baseline at each look.
    const verdict = run.getByTestId("verdict");
    await verdict.waitFor({ timeout: 10_000 });
    const judged = run.locator('figure.chart[aria-label^="errors: canary vs baseline"]');
    await judged.waitFor();
    expect(await judged.locator("canvas").count()).toBeGreaterThan(0);
    const chart = run.locator('figure.chart[aria-label^="Error rate: canary vs stable"]');
    await chart.waitFor();
    // What the charts draw is why: the canary's error rate well above the baseline's.
    type Look = { canary: { requests: number; errors: number }; baseline: { requests: number; errors: number } };
    const runs =
      await c.api.get<
        {
          status?: {
            phase: string;
            metricResults: { name: string; judge?: { outcome: string; explanation?: string; looks: Look[] } }[];
          };
        }[]
      >("/analysisruns");
    const failed = runs.find((r) => r.status?.phase === "Failed");
    const judge = failed?.status?.metricResults.find((m) => m.name === "errors")?.judge;
    expect(judge?.outcome).toBe("Failed");
    expect(await verdict.textContent()).toBe(judge?.explanation);
    const last = judge?.looks.at(-1);
    expect(last && last.canary.errors / last.canary.requests).toBeGreaterThan(
      last ? (last.baseline.errors + 1) / Math.max(1, last.baseline.requests) : 1,
    );
    await run
      .getByText(/measurements, conditions and queries/)
      .first()
      .click();
    await run.getByText("result.canary.successRate >= 0.5", { exact: true }).waitFor();
    await run.locator("td code", { hasText: "builtin rollout=web" }).first().waitFor();
    await screenshot(p, "rollout-rolled-back");
  });

  it("lets an approver approve a pipeline stage from the page, and records who did", async () => {
    const operator = new ApiClient(apiUrl, tokens.operator ?? "");
    await operator.post("/releases", {
      metadata: { name: "v2" },
      spec: { pipeline: "shop", env: [{ name: "VERSION", value: "2.0" }] },
    });
    await waitFor(
      async () => (await recordOf("shop")).some((e) => e.type === "ApprovalRequested" && e.release === "v2"),
      {
        timeoutMs: 60_000,
        message: "the prod stage to ask for approval",
      },
    );
    const p = await page("approver");
    // What needs a person is at the top of the overview.
    await p
      .locator(".attention")
      .getByText(/prod: approval waiting for v2/)
      .waitFor({ timeout: 10_000 });
    await p.goto(`${apiUrl}/dashboard/#/pipelines/shop`);
    const prod = p.locator('[data-stage="prod"]');
    await prod.getByText(/expires in/).waitFor({ timeout: 10_000 });
    // What the release changes: env names (never values).
    await prod.locator('[data-release="v2"]').getByText("v2: env VERSION").waitFor();
    await screenshot(p, "pipeline-waiting");
    await prod.getByRole("button", { name: "Approve" }).click();
    await p.locator("dialog[open]").getByLabel("Reason").fill("canary looked fine on the dashboard");
    await p.getByRole("button", { name: "Confirm approve" }).click();
    await prod.getByRole("status").getByText("Approved v2").waitFor({ timeout: 10_000 });
    const approved = (await recordOf("shop")).find((e) => e.type === "Approved" && e.release === "v2");
    expect(approved).toMatchObject({ actor: "alice", stage: "prod", reason: "canary looked fine on the dashboard" });
    await p
      .locator(".timeline")
      .getByText(/canary looked fine on the dashboard/)
      .waitFor({ timeout: 10_000 });
    await waitFor(
      async () =>
        (await recordOf("shop")).some((e) => e.type === "Healthy" && e.release === "v2" && e.stage === "prod"),
      {
        timeoutMs: 60_000,
        message: "v2 to reach prod",
      },
    );
    await screenshot(p, "pipeline-approved");
  });

  it("shows a viewer no buttons, and the API refuses the viewer's requests anyway", async () => {
    const p = await page("viewer");
    await p.goto(`${apiUrl}/dashboard/#/rollouts/web`);
    await p.getByTestId("phase").waitFor();
    expect(await p.getByRole("button", { name: "Abort" }).count()).toBe(0);
    expect(await p.getByRole("button", { name: "Promote" }).count()).toBe(0);
    await p.goto(`${apiUrl}/dashboard/#/pipelines/shop`);
    await p.locator('[data-stage="prod"]').waitFor();
    expect(await p.getByRole("button", { name: "Approve" }).count()).toBe(0);
    const before = await c.api.get<{ status?: { abort?: boolean } }>("/rollouts/web");
    const answers = await p.evaluate(async () => {
      const send = (path: string, body: unknown, headers: Record<string, string>) =>
        fetch(path, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: await r.text() }));
      const h = { "x-sluice-dashboard": "1" };
      return {
        abort: await send("/api/v1/rollouts/web/abort", {}, h),
        approve: await send("/api/v1/pipelines/shop/approve", { stage: "prod", release: "v2", reason: "x" }, h),
        noHeader: await send("/api/v1/rollouts/web/abort", {}, {}),
      };
    });
    expect(answers.abort.status).toBe(403);
    expect(answers.abort.body).toMatch(/victor.*viewer.*needs role operator/);
    expect(answers.approve.status).toBe(403);
    expect(answers.noHeader.status).toBe(403);
    const after = await c.api.get<{ status?: { abort?: boolean } }>("/rollouts/web");
    expect(after.status?.abort).toBe(before.status?.abort);
    await screenshot(p, "pipeline-viewer");
  });

  it("has no serious or critical accessibility violations, in light and dark, and fits a phone", async () => {
    for (const dark of [false, true]) {
      const context = await newContext(browser, { dark, bypassCSP: true });
      const p = await context.newPage();
      pages.push(p);
      await p.goto(`${apiUrl}/dashboard/`);
      expect(await seriousA11yViolations(p), `sign-in, ${dark ? "dark" : "light"}`).toEqual([]);
      await signIn(p, apiUrl, tokens.operator ?? "");
      for (const view of ["", "#/rollouts/web", "#/pipelines/shop"]) {
        await p.goto(`${apiUrl}/dashboard/${view}`);
        await p.locator('[data-live="live"]').waitFor();
        await p.locator("h1").waitFor();
        const violations = await seriousA11yViolations(p);
        expect(
          violations.map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes[0]?.target)}`),
          `${view || "overview"}, ${dark ? "dark" : "light"}`,
        ).toEqual([]);
      }
      if (dark) await screenshot(p, "pipeline-dark");
      await context.close();
    }
    const phone = await page("operator", { phone: true });
    await phone.goto(`${apiUrl}/dashboard/#/rollouts/web`);
    await phone.getByTestId("phase").waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(phone, "rollout-phone");
    // Keyboard: Tab reaches the skip link first, then the overview link.
    await phone.keyboard.press("Tab");
    expect(await phone.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
  });

  it("says when the stream is stale while the controller restarts, recovers by itself, and acts with confirmation", async () => {
    const p = await page("operator");
    await p.locator('tr[data-name="web"]').waitFor();
    await c.kill9();
    await p.locator('[data-live="stale"]').waitFor({ timeout: 15_000 });
    await screenshot(p, "overview-stale");
    await c.start();
    await p.locator('[data-live="live"]').waitFor({ timeout: 30_000 });
    // Live again means changes flow again, and actions work: pause from the page, with confirmation.
    await p.goto(`${apiUrl}/dashboard/#/rollouts/shop-a`);
    await p.getByRole("button", { name: "Pause", exact: true }).click();
    await p.getByRole("button", { name: "Confirm pause" }).click();
    await p.getByRole("status").getByText("Pause: done").waitFor({ timeout: 15_000 });
    await waitFor(async () => (await p.getByTestId("phase").textContent()) === "Paused", {
      timeoutMs: 15_000,
      message: "the page to show shop-a Paused",
    });
    const paused = await c.api.get<{ spec: { paused?: boolean } }>("/rollouts/shop-a");
    expect(paused.spec.paused).toBe(true);
    const events = await c.api.get<{ reason: string; actor?: string }[]>("/events?kind=Rollout&name=shop-a");
    expect(events.some((e) => e.reason === "CommandReceived" && e.actor === "olivia")).toBe(true);
    await p.getByRole("button", { name: "Resume", exact: true }).click();
    await p.getByRole("button", { name: "Confirm resume" }).click();
    await waitFor(async () => (await p.getByTestId("phase").textContent()) === "Healthy", {
      timeoutMs: 15_000,
      message: "the page to show shop-a Healthy again",
    });
  });
});
