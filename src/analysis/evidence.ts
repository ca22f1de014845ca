import type { EvidenceLook, JudgeStatus, RevisionEvidence } from "../model/index.js";
import { MAX_JUDGE_LOOKS } from "../model/limits.js";

/*
 * The looks a judged metric keeps: pure bookkeeping, no statistics. Providers report raw
 * cumulative counters (since the router or the scraped process started); the evidence counts from
 * the metric's first look (its origin). A counter that goes down means its source restarted: the
 * evidence restarts from that look instead of reading the drop as negative traffic.
 */

function minus(a: RevisionEvidence, b: RevisionEvidence): RevisionEvidence {
  const out: RevisionEvidence = { requests: a.requests - b.requests, errors: a.errors - b.errors };
  if (a.buckets) {
    const base = new Map((b.buckets ?? []).map((x) => [x.le, x.count]));
    out.buckets = a.buckets.map((x) => ({ le: x.le, count: x.count - (base.get(x.le) ?? 0) }));
  }
  return out;
}

function zero(r: RevisionEvidence): RevisionEvidence {
  return { requests: 0, errors: 0, ...(r.buckets ? { buckets: r.buckets.map((x) => ({ le: x.le, count: 0 })) } : {}) };
}

function decreased(now: RevisionEvidence, before: RevisionEvidence): boolean {
  if (now.requests < before.requests || now.errors < before.errors) return true;
  const base = new Map((before.buckets ?? []).map((x) => [x.le, x.count]));
  return (now.buckets ?? []).some((x) => x.count < (base.get(x.le) ?? 0));
}

/** Whether every number of a reading is a finite, non-negative count (providers are untrusted). */
export function isValidReading(look: unknown): look is EvidenceLook {
  if (look === null || typeof look !== "object") return false;
  const { at, canary, baseline } = look as Partial<EvidenceLook>;
  const ok = (n: unknown) => typeof n === "number" && Number.isFinite(n) && n >= 0;
  const rev = (r: RevisionEvidence | undefined) =>
    r !== undefined &&
    ok(r.requests) &&
    ok(r.errors) &&
    (r.buckets === undefined || (Array.isArray(r.buckets) && r.buckets.every((b) => ok(b.le) && ok(b.count))));
  return ok(at) && rev(canary) && rev(baseline);
}

/** Keeps the first and the last look and every other one between, until there are at most `max`. */
export function thinLooks<T>(looks: readonly T[], max: number = MAX_JUDGE_LOOKS): T[] {
  let out = [...looks];
  while (out.length > max) {
    const inner = out.slice(1, -1).filter((_, i) => i % 2 === 1);
    out = [out[0] as T, ...inner, out.at(-1) as T];
  }
  return out;
}

/**
 * Adds a raw reading to the evidence. The first reading becomes the origin (zero evidence). A
 * reading below the origin or below the last look (the counters' source restarted, or a scrape
 * target went missing) keeps the evidence gathered so far (it was real) and counts on from it: the
 * origin shifts so the reading maps onto the last look, and its `at` marks the reset. The reset is
 * counted, and a judged metric promotes only after minRequests canary requests since the last reset
 * (see judged.ts): what follows a reset may be a thin or partial window. `startedAt` is kept: the
 * bound counts from the first look, so restarts cannot stretch it.
 */
export function addLook(status: JudgeStatus | undefined, raw: EvidenceLook, nowIso: string): JudgeStatus {
  const base: JudgeStatus = status ?? { looks: [], resets: 0, outcome: "Running", startedAt: nowIso };
  const startedAt = base.startedAt ?? nowIso;
  const origin = base.origin;
  if (!origin)
    return {
      ...base,
      startedAt,
      origin: raw,
      looks: [{ at: raw.at, canary: zero(raw.canary), baseline: zero(raw.baseline) }],
    };
  const rel: EvidenceLook = {
    at: raw.at,
    canary: minus(raw.canary, origin.canary),
    baseline: minus(raw.baseline, origin.baseline),
  };
  const last = base.looks.at(-1);
  const reset =
    decreased(raw.canary, origin.canary) ||
    decreased(raw.baseline, origin.baseline) ||
    (last !== undefined && (decreased(rel.canary, last.canary) || decreased(rel.baseline, last.baseline)));
  if (reset) {
    const at = last ?? { at: origin.at, canary: zero(raw.canary), baseline: zero(raw.baseline) };
    const shifted: EvidenceLook = {
      at: raw.at,
      canary: minus(raw.canary, at.canary),
      baseline: minus(raw.baseline, at.baseline),
    };
    const looks = raw.at > at.at ? thinLooks([...base.looks, { ...at, at: raw.at }]) : base.looks;
    return { ...base, startedAt, resets: base.resets + 1, origin: shifted, looks };
  }
  if (last !== undefined && raw.at <= last.at) return base;
  return { ...base, startedAt, looks: thinLooks([...base.looks, rel]) };
}

/** Canary requests per second over the stored looks; undefined before two looks. */
export function canaryRate(looks: readonly EvidenceLook[]): number | undefined {
  const first = looks[0];
  const last = looks.at(-1);
  if (!first || !last || last.at <= first.at) return undefined;
  return (last.canary.requests - first.canary.requests) / ((last.at - first.at) / 1000);
}
