/*
 * Seeded random numbers for simulations (bench/decisions.ts and the judge's simulation tests): the
 * same seed gives the same traffic, so a table in docs/benchmarks.md can be reproduced exactly.
 */

/** A seeded generator of uniforms in [0, 1) (mulberry32: fast, 32-bit state, good enough for simulation). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). */
export function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Poisson(mean): inversion for small means, a rounded normal above 50 (plenty for request counts). */
export function poisson(rand: () => number, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)));
  let k = 0;
  let p = Math.exp(-mean);
  let cdf = p;
  const u = rand();
  while (u > cdf && k < 1000) {
    k++;
    p *= mean / k;
    cdf += p;
  }
  return k;
}

/** Binomial(n, p): exact by inversion while n·p is small, otherwise a rounded, clamped normal. */
export function binomial(rand: () => number, n: number, p: number): number {
  if (!(n > 0) || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (n < 40) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rand() < p) k++;
    return k;
  }
  const mean = n * p;
  if (mean < 30 || n * (1 - p) < 30) {
    if (p > 0.5) return n - binomial(rand, n, 1 - p);
    // Inversion on the pmf; the tail beyond 1000 successes has no mass at these means.
    const q = 1 - p;
    let k = 0;
    let pk = q ** n;
    let cdf = pk;
    const u = rand();
    while (u > cdf && k < n) {
      pk *= ((n - k) / (k + 1)) * (p / q);
      k++;
      cdf += pk;
    }
    return k;
  }
  return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * normal(rand))));
}
