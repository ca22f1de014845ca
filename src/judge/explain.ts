/* Wording shared by the judge's verdicts: numbers a person reads in describe, events and the API. */

/** 0.0312 → "3.1%"; small rates keep two significant digits ("0.012%"). */
export function percent(rate: number): string {
  const p = rate * 100;
  if (p !== 0 && Math.abs(p) < 0.1) return `${p.toPrecision(2)}%`;
  return `${p.toFixed(1)}%`;
}

/** A signed difference in percentage points: 0.021 → "+2.1". */
export function points(diff: number): string {
  const p = diff * 100;
  const text = Math.abs(p) < 0.1 && p !== 0 ? p.toPrecision(2) : p.toFixed(1);
  return p >= 0 ? `+${text}` : text;
}

/** An e-value for people: 3 significant digits, no exponent below a million. */
export function evidenceText(e: number): string {
  if (!Number.isFinite(e)) return "∞";
  if (e >= 1e6) return e.toExponential(1);
  if (e >= 100) return Math.round(e).toString();
  return e.toPrecision(3).replace(/\.?0+$/, "");
}

/** 1/α as a person writes it: α 0.01 → "100". */
export function thresholdText(alpha: number): string {
  return evidenceText(1 / alpha);
}

/** Confidence level of a CI at α: 0.01 → "99%". */
export function confidenceText(alpha: number): string {
  return `${Number(((1 - alpha) * 100).toPrecision(4))}%`;
}

/** "1,234". */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
