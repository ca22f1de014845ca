import { z } from "zod";
import { Duration } from "./duration.js";
import { GeneratedLoad } from "./generated-load.js";
import { GateStep } from "./hooks.js";
import {
  DelaySeconds,
  MAX_ARGS,
  MAX_DURATION_SECONDS,
  MAX_MATCHES,
  MAX_NAME_LENGTH,
  MAX_ROUTES,
  MAX_STEPS,
  MAX_TEMPLATES,
  MAX_TEXT_LENGTH,
  Name,
  Replicas,
  StringMap,
} from "./limits.js";
import { patternProblem } from "./regex.js";

/** An integer count or a percentage string such as `"25%"`, as in Kubernetes maxSurge. */
export const IntOrPercent = z.union([
  Replicas(),
  z.string().regex(/^\d{1,3}%$/, 'use an integer or a percentage like "25%"'),
]);
export type IntOrPercent = z.infer<typeof IntOrPercent>;

/** An argument passed to analysis templates. `valueFrom.revision` resolves to a revision hash at run time. */
export const AnalysisRunArg = z
  .strictObject({
    name: Name(),
    value: z.string().max(MAX_TEXT_LENGTH).optional(),
    valueFrom: z
      .strictObject({
        /**
         * `Stable` or `Latest` (the canary), as Argo's podTemplateHashValue; `Baseline` is what the
         * canary is compared with: the baseline revision's key when the rollout runs one, else stable.
         */
        podTemplateHashValue: z.enum(["Stable", "Latest", "Baseline"]),
      })
      .optional(),
  })
  .check((ctx) => {
    if ((ctx.value.value === undefined) === (ctx.value.valueFrom === undefined))
      ctx.issues.push({ code: "custom", input: ctx.value, message: "set exactly one of value or valueFrom" });
  });
export type AnalysisRunArg = z.infer<typeof AnalysisRunArg>;

export const AnalysisTemplateRef = z.strictObject({
  templateName: Name(),
  clusterScope: z.boolean().default(false),
});
export type AnalysisTemplateRef = z.infer<typeof AnalysisTemplateRef>;

/** Which templates to run, with which args: used by analysis steps, background and blue-green analysis. */
export const RolloutAnalysis = z.strictObject({
  templates: z.array(AnalysisTemplateRef).min(1).max(MAX_TEMPLATES),
  args: z.array(AnalysisRunArg).max(MAX_ARGS).default([]),
});
export type RolloutAnalysis = z.infer<typeof RolloutAnalysis>;

/** A regex the router can run: RE2 syntax, bounded length (see regex.ts). */
const Pattern = z.string().check((ctx) => {
  const problem = patternProblem(ctx.value);
  if (problem) ctx.issues.push({ code: "custom", input: ctx.value, message: problem });
});

export const StringMatch = z
  .strictObject({ exact: z.string().optional(), prefix: z.string().optional(), regex: Pattern.optional() })
  .check((ctx) => {
    const n = [ctx.value.exact, ctx.value.prefix, ctx.value.regex].filter((v) => v !== undefined).length;
    if (n !== 1)
      ctx.issues.push({ code: "custom", input: ctx.value, message: "set exactly one of exact, prefix or regex" });
  });
export type StringMatch = z.infer<typeof StringMatch>;

/** A request match. Header matches are Argo's; `cookieName` is a Sluice addition for the local router. */
export const RouteMatch = z
  .strictObject({
    headerName: z.string().min(1).optional(),
    headerValue: StringMatch.optional(),
    cookieName: z.string().min(1).optional(),
    cookieValue: StringMatch.optional(),
    method: StringMatch.optional(),
    path: StringMatch.optional(),
  })
  .check((ctx) => {
    // The router refuses a value with no name to look it up by; lint says so first.
    for (const [value, name] of [
      ["headerValue", "headerName"],
      ["cookieValue", "cookieName"],
    ] as const)
      if (ctx.value[value] !== undefined && ctx.value[name] === undefined)
        ctx.issues.push({ code: "custom", input: ctx.value, path: [value], message: `${value} needs ${name}` });
  });
export type RouteMatch = z.infer<typeof RouteMatch>;

const Percent = z.number().int().min(0, "must be between 0 and 100").max(100, "must be between 0 and 100");

export const CanaryStep = z.union([
  z.strictObject({ setWeight: Percent }),
  z.strictObject({ pause: z.strictObject({ duration: Duration.optional() }) }),
  z.strictObject({
    analysis: RolloutAnalysis.extend({
      /** Requests Sluice sends to the canary while this analysis runs (docs/load.md). */
      load: GeneratedLoad.optional(),
    }),
  }),
  z.strictObject({
    setCanaryScale: z
      .strictObject({
        replicas: Replicas().optional(),
        weight: Percent.optional(),
        matchTrafficWeight: z.boolean().optional(),
      })
      .check((ctx) => {
        const v = ctx.value;
        const n = [v.replicas, v.weight, v.matchTrafficWeight ? true : undefined].filter((x) => x !== undefined).length;
        if (n !== 1)
          ctx.issues.push({
            code: "custom",
            input: v,
            message: "set exactly one of replicas, weight or matchTrafficWeight",
          });
      }),
  }),
  z.strictObject({
    setHeaderRoute: z.strictObject({ name: Name(), match: z.array(RouteMatch).max(MAX_MATCHES).optional() }),
  }),
  z.strictObject({
    setMirrorRoute: z.strictObject({
      name: Name(),
      match: z.array(RouteMatch).max(MAX_MATCHES).optional(),
      percentage: Percent.optional(),
    }),
  }),
  /** Waits for a person: `sluice gate open ROLLOUT` (docs/hooks.md). */
  z.strictObject({ gate: GateStep }),
]);
export type CanaryStep = z.infer<typeof CanaryStep>;

/** Traffic routing. Without it, the local platform uses its own router and Kubernetes uses replica ratios. */
export const TrafficRouting = z.strictObject({
  managedRoutes: z
    .array(z.strictObject({ name: Name() }))
    .max(MAX_ROUTES)
    .optional(),
  nginx: z
    .strictObject({
      stableIngress: Name(),
      annotationPrefix: z.string().max(MAX_NAME_LENGTH).optional(),
      additionalIngressAnnotations: StringMap(MAX_TEXT_LENGTH).optional(),
    })
    .optional(),
  istio: z
    .strictObject({
      virtualService: z.strictObject({
        name: Name(),
        /** Where the VirtualService lives, when not beside the rollout (a shared gateway namespace). */
        namespace: Name().optional(),
        routes: z.array(z.string().max(MAX_NAME_LENGTH)).max(MAX_ROUTES).optional(),
      }),
      destinationRule: z
        .strictObject({
          name: Name(),
          namespace: Name().optional(),
          canarySubsetName: Name(),
          stableSubsetName: Name(),
        })
        .optional(),
    })
    .optional(),
  smi: z
    .strictObject({
      rootService: z.string().max(MAX_NAME_LENGTH).optional(),
      trafficSplitName: z.string().max(MAX_NAME_LENGTH).optional(),
    })
    .optional(),
  gatewayAPI: z.strictObject({ httpRoute: Name(), namespace: z.string().max(MAX_NAME_LENGTH).optional() }).optional(),
});
export type TrafficRouting = z.infer<typeof TrafficRouting>;

/**
 * One Service selects one revision: two fields naming the same Service would point one revision's
 * traffic at another (stable's at the canary). An issue for each later field that repeats a name.
 */
function sharedServices(fields: Record<string, string | undefined>): z.core.$ZodRawIssue[] {
  const taken = new Map<string, string>();
  const out: z.core.$ZodRawIssue[] = [];
  for (const [field, name] of Object.entries(fields)) {
    if (name === undefined) continue;
    const first = taken.get(name);
    if (first === undefined) taken.set(name, field);
    else
      out.push({
        code: "custom",
        input: name,
        path: [field],
        message: `names Service "${name}", which ${first} names too; each revision needs its own Service`,
      });
  }
  return out;
}

export const CanaryStrategy = z
  .strictObject({
    steps: z.array(CanaryStep).max(MAX_STEPS).default([]),
    analysis: RolloutAnalysis.extend({
      startingStep: z.number().int().nonnegative().max(MAX_STEPS).optional(),
    }).optional(),
    maxSurge: IntOrPercent.default("25%"),
    maxUnavailable: IntOrPercent.default(0),
    scaleDownDelaySeconds: DelaySeconds().default(30),
    abortScaleDownDelaySeconds: DelaySeconds().default(30),
    stableService: z.string().max(MAX_NAME_LENGTH).optional(),
    canaryService: z.string().max(MAX_NAME_LENGTH).optional(),
    /**
     * Kubernetes with a baseline: the Service Sluice points at the baseline revision (like
     * canaryService; the router sends the baseline's share to it).
     */
    baselineService: z.string().max(MAX_NAME_LENGTH).optional(),
    trafficRouting: TrafficRouting.optional(),
    /** Sticky sessions: a client that was sent to a revision stays on it while that revision takes traffic. */
    stickySession: z
      .strictObject({
        cookieName: z
          .string()
          .regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, "must be a cookie name: letters, digits and !#$%&'*+-.^_`|~")
          .default("sluice-revision"),
        maxAgeSeconds: z.number().int().positive().max(MAX_DURATION_SECONDS).default(3600),
      })
      .optional(),
    /**
     * Runs a baseline revision while the canary is judged: a fresh copy of the stable revision that
     * takes the same weight as the canary, so the comparison is not biased by the stable revision's
     * warm caches and long-lived connections. Stable keeps 100 - 2 x the canary's weight.
     */
    baseline: z.boolean().optional(),
  })
  .check((ctx) => {
    const { stableService, canaryService, baselineService } = ctx.value;
    ctx.issues.push(...sharedServices({ stableService, canaryService, baselineService }));
  })
  .check((ctx) => {
    if (!ctx.value.baseline) return;
    // A baseline takes as much traffic as the canary: both must fit beside stable.
    ctx.value.steps.forEach((step, i) => {
      if ("setWeight" in step && step.setWeight * 2 > 100)
        ctx.issues.push({
          code: "custom",
          input: step.setWeight,
          path: ["steps", i, "setWeight"],
          message: `with baseline on, the canary and the baseline each take this weight, so it must be at most 50 (2 x ${step.setWeight} > 100); lower it or turn baseline off`,
        });
    });
    if (ctx.value.trafficRouting?.nginx)
      ctx.issues.push({
        code: "custom",
        input: true,
        path: ["baseline"],
        message:
          "NGINX Ingress splits traffic two ways only (stable and canary) and a baseline needs a third; turn baseline off or use another traffic router",
      });
  });
export type CanaryStrategy = z.infer<typeof CanaryStrategy>;

export const BlueGreenStrategy = z
  .strictObject({
    activeService: z.string().max(MAX_NAME_LENGTH).optional(),
    previewService: z.string().max(MAX_NAME_LENGTH).optional(),
    previewReplicaCount: Replicas().min(1).optional(),
    autoPromotionEnabled: z.boolean().default(true),
    autoPromotionSeconds: DelaySeconds().optional(),
    scaleDownDelaySeconds: DelaySeconds().default(30),
    abortScaleDownDelaySeconds: DelaySeconds().default(30),
    prePromotionAnalysis: RolloutAnalysis.optional(),
    postPromotionAnalysis: RolloutAnalysis.optional(),
  })
  .check((ctx) => {
    const { activeService, previewService } = ctx.value;
    ctx.issues.push(...sharedServices({ activeService, previewService }));
  });
export type BlueGreenStrategy = z.infer<typeof BlueGreenStrategy>;

export const Strategy = z
  .strictObject({ canary: CanaryStrategy.optional(), blueGreen: BlueGreenStrategy.optional() })
  .check((ctx) => {
    if ((ctx.value.canary === undefined) === (ctx.value.blueGreen === undefined))
      ctx.issues.push({
        code: "custom",
        input: ctx.value,
        message: "set exactly one of strategy.canary or strategy.blueGreen",
      });
  });
export type Strategy = z.infer<typeof Strategy>;
