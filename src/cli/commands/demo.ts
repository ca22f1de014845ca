import { runDemo } from "../../demo/run-demo.js";
import type { Output } from "../output.js";

/** `sluice demo`: exit 0 only if every phase ended as intended; Ctrl-C cleans up every process. */
export async function demoCommand(opts: { fast?: boolean }, out: Output): Promise<number> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const results = await runDemo({ fast: opts.fast ?? false, log: out.log, signal: abort.signal });
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) {
      out.error(`demo: ${failed.map((r) => r.name).join(", ")} did not end as intended`);
      return 1;
    }
    out.log("\nEvery phase ended as intended.");
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
