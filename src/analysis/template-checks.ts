import { type AnalysisTemplate, type ClusterAnalysisTemplate, durationMs } from "../model/index.js";
import { checkCondition, formatConditionProblem } from "./conditions.js";
import { effectiveCount } from "./verdict.js";

/** A problem with one field of a template; `path` is relative to the document, e.g. `spec.metrics[0].successCondition`. */
export interface TemplateIssue {
  path: string;
  message: string;
}

/**
 * Checks what the schema cannot: every condition parses and type-checks (the message names the
 * metric and points at the spot with a caret), intervals are positive, count and interval agree,
 * limits are reachable, and there is at least one metric. Unique names and dryRun /
 * measurementRetention references are the model's cross-checks, not repeated here.
 */
export function checkTemplate(template: AnalysisTemplate | ClusterAnalysisTemplate): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const spec = template.spec;
  spec.metrics.forEach((metric, i) => {
    const at = `spec.metrics[${i}]`;
    const name = `metric "${metric.name}"`;
    for (const field of ["successCondition", "failureCondition"] as const) {
      const expr = metric[field];
      if (expr === undefined) continue;
      const check = checkCondition(expr);
      if (!check.ok)
        issues.push({ path: `${at}.${field}`, message: `${name}: ${formatConditionProblem(expr, check)}` });
    }

    if (metric.interval !== undefined && durationMs(metric.interval) === 0)
      issues.push({ path: `${at}.interval`, message: `${name}: interval must be longer than 0` });
    if (metric.count !== undefined && metric.count > 1 && metric.interval === undefined)
      issues.push({
        path: `${at}.count`,
        message: `${name}: count ${metric.count} needs an interval to space the measurements`,
      });
    const count = effectiveCount(metric);
    if (metric.consecutiveSuccessLimit > 0 && count !== undefined && metric.consecutiveSuccessLimit > count)
      issues.push({
        path: `${at}.consecutiveSuccessLimit`,
        message: `${name}: consecutiveSuccessLimit ${metric.consecutiveSuccessLimit} can never be reached in ${count} measurement${count === 1 ? "" : "s"}`,
      });
  });

  // Included templates may bring the metrics; the run builder checks the merged set.
  if (spec.metrics.length === 0 && spec.templates.length === 0)
    issues.push({ path: "spec.metrics", message: "the template defines no metrics" });
  return issues;
}
