import { fileURLToPath } from "node:url";

/** Where the demo app lives, so replicas start the same way from any working directory. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const APP = fileURLToPath(new URL("../../demo/app/server.ts", import.meta.url));
/** The staging stage's integration test: plain Node, no TypeScript, so it starts in a blink. */
export const INTEGRATION_TEST = fileURLToPath(new URL("./integration-test.mjs", import.meta.url));

/** The pipeline the demo releases go through, and the rollout each of its stages changes. */
export const PIPELINE = "demo";
export const STAGES = [
  { stage: "canary", rollout: "demo-canary" },
  { stage: "staging", rollout: "demo-staging" },
  { stage: "production", rollout: "demo-production" },
] as const;
export type StageName = (typeof STAGES)[number]["stage"];
export const ROLLOUT: Record<StageName, string> = {
  canary: "demo-canary",
  staging: "demo-staging",
  production: "demo-production",
};

export interface DemoTiming {
  /** Seconds each canary pause lasts, and the blue-green preview's wait before the switch. */
  pauseSeconds: number;
  /** Seconds the old revision keeps running after a switch. */
  scaleDownDelaySeconds: number;
  /** How long a release must have been Healthy in canary before it enters staging. */
  soakSeconds: number;
  /** How long the demo approver "thinks" before approving production. */
  approveAfterSeconds: number;
}

export const FAST: DemoTiming = { pauseSeconds: 2, scaleDownDelaySeconds: 2, soakSeconds: 3, approveAfterSeconds: 3 };
export const NORMAL: DemoTiming = {
  pauseSeconds: 6,
  scaleDownDelaySeconds: 5,
  soakSeconds: 10,
  approveAfterSeconds: 6,
};

/** Threshold metrics, measured every second while the canary runs (the background watch). */
function thresholdMetrics() {
  return [
    {
      name: "success-rate",
      provider: { builtin: { window: "10s", minRequests: 10 } },
      interval: "1s",
      successCondition: "result.canary.successRate >= 0.99",
      failureLimit: 0,
      inconclusiveLimit: 100_000,
    },
    {
      name: "latency-p95",
      provider: { builtin: { window: "10s", minRequests: 10 } },
      interval: "1s",
      successCondition: "result.canary.p95 <= 200",
      failureLimit: 0,
      inconclusiveLimit: 100_000,
    },
  ];
}

/**
 * The analysis that gates each canary weight. The error rate goes to the statistical judge: it
 * compares the canary with the stable revision on the router's counts of both and decides as
 * soon as the evidence allows, a bad release in a few dozen canary requests, a good one once its
 * error rate is shown to be within the tolerance. The demo tolerates +5 points so a good release
 * passes its 5 % step in seconds; production templates use +0.5 (docs/examples). An identical
 * canary is rolled back at most 1 time in 100 (alpha 0.01). Undecided after 60 s it pauses for a
 * person instead of promoting on thin evidence. Latency stays a threshold: at a 5 % canary the
 * latency judge needs more requests than the demo's minute.
 */
export function demoAnalysisTemplate() {
  const [, latency] = thresholdMetrics();
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "demo-health" },
    spec: {
      alpha: 0.01,
      metrics: [
        {
          name: "error-rate",
          provider: { builtin: {} },
          interval: "1s",
          judge: {
            errorRate: { maxRelativeIncrease: 0.1, maxAbsoluteIncrease: 0.05 },
            minRequests: 50,
            maxDuration: "60s",
            onInsufficientEvidence: "pause",
          },
        },
        // The canary's requests at a new weight take a moment to add up to minRequests.
        { ...latency, initialDelay: "1s", count: 3, inconclusiveLimit: 10 },
      ],
    },
  };
}

/**
 * Threshold conditions measured every second for as long as the canary runs, so a bad release is
 * rolled back as soon as a measurement fails, not at the next analysis step. Too little traffic is
 * never a verdict here: the step analyses hold the rollout until there is evidence.
 */
export function demoWatchTemplate() {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "demo-watch" },
    spec: { metrics: thresholdMetrics() },
  };
}

/**
 * The staging gate's integration test as a check: a small Node script that calls the service by
 * the router's URL and a Host header, and passes when its exit code is 0.
 */
export function integrationTemplate() {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: "demo-integration" },
    spec: {
      args: [{ name: "url" }, { name: "host" }],
      metrics: [
        {
          name: "integration",
          count: 1,
          failureLimit: 0,
          successCondition: "result == true",
          provider: {
            command: {
              command: [process.execPath, INTEGRATION_TEST, "{{args.url}}", "{{args.host}}"],
              timeoutSeconds: 30,
              result: "exitCode",
            },
          },
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

/**
 * The canary environment's rollout (named `demo` for the benchmarks that reuse it): 5% → 25% → 50%
 * → 100%, each weight gated by analysis, with background analysis watching the canary throughout.
 */
export function canaryRollout(version: string, timing: DemoTiming, env: Record<string, string> = {}, name = "demo") {
  const pause = { pause: { duration: timing.pauseSeconds } };
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
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
          analysis: { templates: [{ templateName: "demo-watch" }] },
          scaleDownDelaySeconds: timing.scaleDownDelaySeconds,
          abortScaleDownDelaySeconds: timing.scaleDownDelaySeconds,
        },
      },
    },
  };
}

/**
 * The three environments at v1.0, each its own Rollout with its own strategy: a canary gated by
 * analysis, a plain canary in staging, and blue-green in production.
 */
export function environmentRollouts(timing: DemoTiming) {
  const delays = {
    scaleDownDelaySeconds: timing.scaleDownDelaySeconds,
    abortScaleDownDelaySeconds: timing.scaleDownDelaySeconds,
  };
  const rollout = (name: string, replicas: number, strategy: Record<string, unknown>) => ({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: { replicas, template: template("1.0"), strategy },
  });
  return [
    canaryRollout("1.0", timing, {}, ROLLOUT.canary),
    rollout(ROLLOUT.staging, 2, {
      canary: { steps: [{ setWeight: 50 }, { pause: { duration: timing.pauseSeconds } }], ...delays },
    }),
    rollout(ROLLOUT.production, 3, {
      blueGreen: { autoPromotionEnabled: true, autoPromotionSeconds: timing.pauseSeconds, ...delays },
    }),
  ];
}

/**
 * The pipeline of seed 000: canary → staging behind an integration test against the canary
 * environment and a soak, staging → production behind a person with the approver role.
 */
export function demoPipeline(timing: DemoTiming, routerUrl: string) {
  return {
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Pipeline",
    metadata: { name: PIPELINE },
    spec: {
      onFailure: "leave",
      stages: [
        { name: "canary", rollout: ROLLOUT.canary },
        {
          name: "staging",
          rollout: ROLLOUT.staging,
          soak: `${timing.soakSeconds}s`,
          checks: [
            {
              name: "integration",
              templates: [{ templateName: "demo-integration" }],
              args: [
                { name: "url", value: routerUrl },
                { name: "host", value: ROLLOUT.canary },
              ],
            },
          ],
        },
        {
          name: "production",
          rollout: ROLLOUT.production,
          approval: { required: 1, from: { roles: ["approver"] }, timeout: "15m", onTimeout: "wait" },
        },
      ],
    },
  };
}

/** The release names, DNS labels as every resource name is. */
export const V2_0 = "v2-0";
export const V2_1 = "v2-1";

/**
 * A release as POST /releases takes it (no apiVersion or kind): the version and, for 2.1, the
 * injected errors and latency; each with the feature flags seed 000 ships for that version.
 */
export function releaseBody(name: typeof V2_0 | typeof V2_1) {
  const good = name === V2_0;
  return {
    metadata: { name },
    spec: {
      pipeline: PIPELINE,
      env: good
        ? [{ name: "VERSION", value: "2.0" }]
        : [
            { name: "VERSION", value: "2.1" },
            { name: "ERROR_RATE", value: "0.15" },
            { name: "LATENCY_MS", value: "2400" },
          ],
      featuresEnv: "FEATURES",
      features: good
        ? {
            "legacy-ui": false,
            "new-api": true,
            "advanced-analytics": true,
            "real-time-updates": true,
            "experimental-features": false,
          }
        : { "experimental-features": true, "unstable-features": true, "beta-features": true },
      source: { commit: good ? "4f2c9a1" : "9b7e3d0" },
    },
  };
}
