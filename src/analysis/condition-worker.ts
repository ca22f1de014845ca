/**
 * The evaluation worker's entry: compiles (cached) and evaluates one condition per message. The
 * controller's thread posts jobs and stops this thread when one runs past its deadline.
 */
import { parentPort } from "node:worker_threads";
import type { WorkerJob, WorkerReply } from "./condition-sandbox.js";
import { ConditionError, compileCondition, runCondition } from "./conditions.js";

const port = parentPort;
if (!port) throw new Error("condition-worker.ts runs only as a worker thread");

port.on("message", (job: WorkerJob) => {
  let reply: WorkerReply;
  try {
    const out = runCondition(compileCondition(job.expression), job.result);
    reply = typeof out === "boolean" ? { id: job.id, value: out } : { id: job.id, error: out.error };
  } catch (err) {
    const reason = err instanceof ConditionError ? err.message : String(err);
    reply = { id: job.id, error: `condition ${job.expression} does not compile: ${reason}` };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
