import { runDemo } from "../../demo/run-demo.js";
import type { Output } from "../output.js";

/** `sluice demo`: exit 0 only if every step of the journey ended as intended; Ctrl-C cleans up every process. */
export async function demoCommand(opts: { fast?: boolean; interactive?: boolean }, out: Output): Promise<number> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const result = await runDemo({
      fast: opts.fast ?? false,
      interactive: opts.interactive ?? false,
      log: out.log,
      signal: abort.signal,
    });
    if (!result.ok) {
      const failed = result.steps.filter((s) => !s.ok).map((s) => s.name);
      out.error(`demo: ${failed.join("; ")} did not end as intended`);
      return 1;
    }
    out.log("\nEvery step ended as intended.");
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
