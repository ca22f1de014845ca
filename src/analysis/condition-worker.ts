/**
 * The evaluation process's entry: compiles (cached) and evaluates one condition per message. The
 * controller posts jobs over IPC and kills this process when one runs past its deadline.
 */

import type { WorkerJob, WorkerReply } from "./condition-sandbox.js";
import { ConditionError, compileCondition, runCondition } from "./conditions.js";

const send = process.send?.bind(process);
if (!send) throw new Error("condition-worker.ts runs only as the controller's evaluation process");

process.on("message", (job: WorkerJob) => {
  let reply: WorkerReply;
  try {
    const out = runCondition(compileCondition(job.expression), job.result);
    reply = typeof out === "boolean" ? { id: job.id, value: out } : { id: job.id, error: out.error };
  } catch (err) {
    const reason = err instanceof ConditionError ? err.message : String(err);
    reply = { id: job.id, error: `condition ${job.expression} does not compile: ${reason}` };
  }
  send(reply);
});
// The controller is gone: nobody will read an answer.
process.on("disconnect", () => process.exit(0));
send({ ready: true });
