/**
 * Applies thousands of generated manifests to one real `sluice up`, as test/hostile/fuzz-apply.test.ts
 * does with eighty: each case is linted as `sluice lint` does, and what lint accepts is applied
 * through the API, then applied again as a new revision so its steps, routes and analysis run,
 * then deleted after its batch. A worker thread probes /healthz every 50 ms throughout; after each
 * batch an unrelated rollout must still answer 200 through the router. Exit code 1 if /healthz
 * was ever slower than 1 s or failed, the controller exited, the API answered 5xx, or the sentinel failed.
 *
 * A batch during which /healthz failed is written out, one file per case, to replay with --from.
 *
 *   npx tsx bench/fuzz-apply.ts [--cases 2000] [--batch 10] [--seed 42] [--dwell-ms 2000] [--from 0]
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import fc from "fast-check";
import { renderTable } from "../src/cli/format/table.js";
import { ControllerProcess } from "../test/helpers/controller.js";
import { FuzzApplyHarness, MAX_CASE_PROCESSES } from "../test/helpers/fuzz-apply.js";
import { HostileHttp } from "../test/helpers/hostile-http.js";
import { applyCase } from "../test/helpers/manifest-arbitraries.js";
import { describeMachine } from "./lib/machine.js";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "2000" },
    batch: { type: "string", default: "10" },
    seed: { type: "string", default: "42" },
    "dwell-ms": { type: "string", default: "2000" },
    from: { type: "string", default: "0" },
  },
});
const cases = Number(values.cases);
const batchSize = Number(values.batch);
const seed = Number(values.seed);
const from = Number(values.from);

const m = describeMachine();
const hostile = await new HostileHttp().start();
const c = new ControllerProcess();
let exitCode = 1;
const started = Date.now();
try {
  await c.start();
  const harness = new FuzzApplyHarness(c, { dwellMs: Number(values["dwell-ms"]) });
  await harness.start();
  // The same seed gives the same sequence, so --from replays the cases an earlier run reported.
  const all = fc.sample(applyCase(hostile.url), { numRuns: from + cases, seed }).slice(from);
  for (let i = 0; i < all.length; i += batchSize) {
    await harness.runBatch(all.slice(i, i + batchSize));
    if ((i / batchSize) % 10 === 9) {
      const h = await harness.healthzSoFar();
      const n = harness.counts;
      console.error(
        `${n.cases}/${cases} cases, ${n.applied} applied, /healthz max ${h.maxMs.toFixed(0)} ms, ${Math.round((Date.now() - started) / 1000)} s`,
      );
    }
  }
  const h = await harness.stop();
  const n = harness.counts;
  const phases = Object.entries(n.measurements)
    .sort()
    .map(([phase, k]) => `${phase} ${k}`)
    .join(", ");
  console.log(`machine: ${m.nproc} cores, ${m.cpu}, node ${m.node}, load ${m.loadAverage}; seed ${seed}`);
  console.log(
    renderTable(
      ["FIGURE", "VALUE"],
      [
        ["cases", String(n.cases)],
        ["refused by lint", String(n.lintRefused)],
        ["accepted by lint", String(n.lintAccepted)],
        [`skipped (more than ${MAX_CASE_PROCESSES} processes)`, String(n.skipped)],
        ["applied", String(n.applied)],
        ["refused by apply", String(n.refusedByApply)],
        ["applied again as a new revision", String(n.updated)],
        ["analysis runs", String(n.analysisRuns)],
        ["measurements", phases || "0"],
        ["/healthz probes", String(h.probes)],
        ["/healthz p99 ms", h.p99Ms.toFixed(0)],
        ["/healthz max ms", h.maxMs.toFixed(0)],
        ["/healthz slower than 1 s or failed", String(h.failureCount)],
        ["sentinel checks failed", `${n.sentinelFailures.length} of ${n.sentinelChecks}`],
        ["API answers 5xx or none", String(n.serverErrors.length)],
        ["controller exits", String(n.controllerExits.length)],
        ["wall time s", String(Math.round((Date.now() - started) / 1000))],
      ],
    ),
  );
  for (const batch of harness.stalled) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `fuzz-apply-stall-${from + batch.firstCase}-`));
    for (const [i, text] of batch.texts.entries())
      writeFileSync(path.join(dir, `case-${from + batch.firstCase + i}.yaml`), text);
    console.log(
      `stalled: ${batch.failures} slow /healthz probe(s) during cases ${from + batch.firstCase}..${from + batch.firstCase + batch.texts.length - 1} (replay: --seed ${seed} --from ${from + batch.firstCase - 1} --cases ${batch.texts.length}); cases in ${dir}`,
    );
  }
  for (const line of [...h.failures, ...n.sentinelFailures, ...n.serverErrors, ...n.controllerExits])
    console.log(`failure: ${line}`);
  const failed = h.failureCount + n.sentinelFailures.length + n.serverErrors.length + n.controllerExits.length > 0;
  exitCode = failed ? 1 : 0;
} finally {
  await c.destroy();
  await hostile.stop();
}
process.exit(exitCode);
