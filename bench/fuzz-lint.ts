/**
 * Fuzzes `sluice lint` (the loader plus the analysis checks lint runs) with generated hostile
 * manifests: the shipped examples with fields overwritten, deleted or added (huge, negative and
 * non-finite numbers, reserved names, NUL bytes, 300-deep nesting, unknown and `__proto__` keys)
 * and damaged text (bracket runs up to 5,000, aliases, tags, cuts). Every case must end in
 * resources or field-path errors, quickly, without throwing. Exit code 1 if any case threw.
 *
 *   npx tsx bench/fuzz-lint.ts [--cases 20000] [--seed 42]
 */
import { parseArgs } from "node:util";
import fc from "fast-check";
import { renderTable } from "../src/cli/format/table.js";
import { analysisChecks } from "../src/cli/lint.js";
import { fuzzBases, manifestCase } from "../src/model/arbitraries.js";
import { loadText } from "../src/model/load.js";
import { describeMachine } from "./lib/machine.js";

const { values } = parseArgs({
  options: { cases: { type: "string", default: "20000" }, seed: { type: "string", default: "42" } },
});
const cases = Number(values.cases);
const seed = Number(values.seed);

const stats = { cases: 0, accepted: 0, refused: 0, throws: 0, resources: 0, bytes: 0 };
const times: number[] = [];
let slowest = { ms: 0, bytes: 0 };
const firstThrows: string[] = [];

for (const c of fc.sample(manifestCase(fuzzBases()), { numRuns: cases, seed })) {
  stats.cases++;
  stats.bytes += c.text.length;
  const started = performance.now();
  try {
    const { resources, errors } = loadText(c.text, "fuzz.yaml", { extraChecks: analysisChecks });
    if (errors.length > 0) stats.refused++;
    else if (resources.length > 0) stats.accepted++;
    stats.resources += resources.length;
  } catch (err) {
    stats.throws++;
    if (firstThrows.length < 3) firstThrows.push(`${(err as Error).stack?.split("\n").slice(0, 3).join(" | ")}`);
  }
  const ms = performance.now() - started;
  times.push(ms);
  if (ms > slowest.ms) slowest = { ms, bytes: c.text.length };
}

times.sort((a, b) => a - b);
const pct = (p: number) => (times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0).toFixed(1);
const m = describeMachine();
console.log(`machine: ${m.nproc} cores, ${m.cpu}, node ${m.node}, load ${m.loadAverage}; seed ${seed}`);
console.log(
  renderTable(
    ["CASES", "ACCEPTED", "REFUSED", "OTHER", "THROWS", "P50 MS", "P99 MS", "MAX MS", "MAX CASE BYTES", "MEAN BYTES"],
    [
      [
        String(stats.cases),
        String(stats.accepted),
        String(stats.refused),
        // Empty documents and damaged text that holds no resource and no error (comments only).
        String(stats.cases - stats.accepted - stats.refused - stats.throws),
        String(stats.throws),
        pct(0.5),
        pct(0.99),
        slowest.ms.toFixed(1),
        String(slowest.bytes),
        String(Math.round(stats.bytes / Math.max(1, stats.cases))),
      ],
    ],
  ),
);
for (const t of firstThrows) console.log(`threw: ${t}`);
process.exit(stats.throws > 0 ? 1 : 0);
