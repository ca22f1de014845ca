import type { CountLook, RevisionCounts } from "./types.js";

/*
 * Looks come from telemetry a user's backend and a provider produced, so any number may be NaN,
 * negative or smaller than the last one (a restart resets counters). The judge turns the list into
 * increments it can trust, and says why it skipped the others.
 */

/** Counts gained between two trusted looks. */
export interface CountIncrement {
  canary: RevisionCounts;
  baseline: RevisionCounts;
  /** Cumulative counts after this increment (sums of trusted increments only). */
  total: { canary: RevisionCounts; baseline: RevisionCounts };
}

/** Why some looks were not used: a person reads this in the verdict. */
export interface LookProblems {
  invalid: number;
  restarts: number;
}

function validCounts(c: RevisionCounts | undefined): boolean {
  return (
    c !== undefined &&
    typeof c.requests === "number" &&
    typeof c.errors === "number" &&
    Number.isFinite(c.requests) &&
    Number.isFinite(c.errors) &&
    c.requests >= 0 &&
    c.errors >= 0 &&
    c.errors <= c.requests
  );
}

/** True when a look's numbers can be used at all. */
export function validCountLook(look: CountLook | undefined): look is CountLook {
  return look !== undefined && look !== null && validCounts(look.canary) && validCounts(look.baseline);
}

/**
 * Increments between consecutive valid looks. A counter that went down starts a new series from that
 * look (the evidence before it stays: it was real), and is reported so a verdict never promotes on it.
 */
export function countIncrements(looks: readonly CountLook[]): { increments: CountIncrement[]; problems: LookProblems } {
  const problems: LookProblems = { invalid: 0, restarts: 0 };
  const increments: CountIncrement[] = [];
  const total = { canary: { requests: 0, errors: 0 }, baseline: { requests: 0, errors: 0 } };
  let prev: CountLook | undefined;
  for (const look of Array.isArray(looks) ? looks : []) {
    if (!validCountLook(look)) {
      problems.invalid++;
      continue;
    }
    if (prev === undefined) {
      // The first look is a starting point, not evidence: counters may include traffic from before.
      prev = look;
      continue;
    }
    const d = {
      canary: {
        requests: look.canary.requests - prev.canary.requests,
        errors: look.canary.errors - prev.canary.errors,
      },
      baseline: {
        requests: look.baseline.requests - prev.baseline.requests,
        errors: look.baseline.errors - prev.baseline.errors,
      },
    };
    prev = look;
    if (d.canary.requests < 0 || d.canary.errors < 0 || d.baseline.requests < 0 || d.baseline.errors < 0) {
      problems.restarts++;
      continue;
    }
    if (d.canary.errors > d.canary.requests || d.baseline.errors > d.baseline.requests) {
      problems.invalid++;
      continue;
    }
    total.canary.requests += d.canary.requests;
    total.canary.errors += d.canary.errors;
    total.baseline.requests += d.baseline.requests;
    total.baseline.errors += d.baseline.errors;
    increments.push({
      ...d,
      total: { canary: { ...total.canary }, baseline: { ...total.baseline } },
    });
  }
  return { increments, problems };
}
