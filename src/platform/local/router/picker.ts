/**
 * Smooth weighted round robin (as nginx does it): every pick adds each item's weight to its running
 * score, takes the highest score and subtracts the total from it. Over any run of picks the split is
 * exact to within one pick per item, and picks of different items interleave instead of bunching,
 * which a random split cannot promise at 10,000 requests.
 */
export class WeightedPicker<T> {
  private readonly items: T[];
  private readonly weights: Float64Array;
  private readonly scores: Float64Array;
  private readonly total: number;

  /** Items with a weight of 0 or less (or not finite) are never picked. */
  constructor(entries: Iterable<readonly [T, number]>) {
    const kept = [...entries].filter(([, w]) => Number.isFinite(w) && w > 0);
    this.items = kept.map(([item]) => item);
    this.weights = Float64Array.from(kept.map(([, w]) => w));
    this.scores = new Float64Array(kept.length);
    this.total = kept.reduce((sum, [, w]) => sum + w, 0);
  }

  /** True when nothing can be picked. */
  get empty(): boolean {
    return this.items.length === 0;
  }

  /** The next item, or undefined when every weight is zero. */
  next(): T | undefined {
    const n = this.items.length;
    if (n === 1) return this.items[0];
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const score = this.scores[i]! + this.weights[i]!;
      this.scores[i] = score;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best < 0) return undefined;
    this.scores[best]! -= this.total;
    return this.items[best];
  }
}
