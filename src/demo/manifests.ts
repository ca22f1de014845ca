import { fileURLToPath } from "node:url";

/** Where the demo app lives, so replicas start the same way from any working directory. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const APP = fileURLToPath(new URL("../../demo/app/server.ts", import.meta.url));

export interface DemoTiming {
  /** Seconds each canary pause lasts. */
  pauseSeconds: number;
  /** Seconds the old revision keeps running after a switch. */
  scaleDownDelaySeconds: number;
}

export const FAST: DemoTiming = { pauseSeconds: 2, scaleDownDelaySeconds: 2 };
export const NORMAL: DemoTiming = { pauseSeconds: 8, scaleDownDelaySeconds: 5 };

/**
 * The analysis that gates the demo, as the seeds' teams write it: success rate at least 99% and
 * p95 latency at most 200 ms, from the router's own telemetry. A measurement with fewer than
 * `minRequests` canary requests is Inconclusive; a few of those are allowed while traffic builds.
 */
export function demoAnalysisTemplate() {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "demo-health" },
    spec: {
      metrics: [
        {
          name: "success-rate",
          provider: { builtin: { window: "10s", minRequests: 10 } },
          interval: "1s",
          count: 3,
          successCondition: "result.canary.successRate >= 0.99",
          failureLimit: 0,
          inconclusiveLimit: 10,
        },
        {
          name: "latency-p95",
          provider: { builtin: { window: "10s", minRequests: 10 } },
          interval: "1s",
          count: 3,
          successCondition: "result.canary.p95 <= 200",
          failureLimit: 0,
          inconclusiveLimit: 10,
        },
      ],
    },
  };
}

function template(version: string, env: Record<string, string> = {}) {
  return {
    process: {
      command: process.execPath,
      args: ["--import", "tsx", APP],
      cwd: REPO_ROOT,
      env: Object.entries({ VERSION: version, ...env }).map(([name, value]) => ({ name, value })),
      portEnv: "PORT",
      readinessProbe: { httpGet: { path: "/ready" }, periodSeconds: 0.5, failureThreshold: 3 },
      livenessProbe: { httpGet: { path: "/health" }, periodSeconds: 2, failureThreshold: 3 },
      terminationGracePeriodSeconds: 5,
    },
  };
}

const analysisStep = { analysis: { templates: [{ templateName: "demo-health" }] } };

/** The demo rollout as a canary: 5% → 25% → 50% → 100%, each weight gated by analysis. */
export function canaryRollout(version: string, timing: DemoTiming, env: Record<string, string> = {}) {
  const pause = { pause: { duration: timing.pauseSeconds } };
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "demo" },
    spec: {
      replicas: 3,
      template: template(version, env),
      strategy: {
        canary: {
          steps: [
            { setWeight: 5 },
            analysisStep,
            { setWeight: 25 },
            analysisStep,
            pause,
            { setWeight: 50 },
            analysisStep,
            pause,
          ],
          // Background analysis watches the canary between steps too, so a bad release is rolled
          // back as soon as the evidence is in, not at the next analysis step.
          analysis: { templates: [{ templateName: "demo-watch" }] },
          scaleDownDelaySeconds: timing.scaleDownDelaySeconds,
          abortScaleDownDelaySeconds: timing.scaleDownDelaySeconds,
        },
      },
    },
  };
}

/**
 * The same conditions measured every second for as long as the canary runs. Too little traffic
 * is never a verdict here: the step analyses hold the rollout until there is evidence.
 */
export function demoWatchTemplate() {
  const template = demoAnalysisTemplate();
  return {
    ...template,
    metadata: { name: "demo-watch" },
    spec: {
      metrics: template.spec.metrics.map(({ count: _count, ...m }) => ({ ...m, inconclusiveLimit: 1_000_000 })),
    },
  };
}

/** The same service released blue-green: preview first, analysis on the preview, then the switch. */
export function blueGreenRollout(version: string, timing: DemoTiming) {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "demo" },
    spec: {
      replicas: 3,
      template: template(version),
      strategy: {
        blueGreen: {
          prePromotionAnalysis: { templates: [{ templateName: "demo-health" }] },
          scaleDownDelaySeconds: timing.scaleDownDelaySeconds,
          abortScaleDownDelaySeconds: timing.scaleDownDelaySeconds,
        },
      },
    },
  };
}
