import { heyLoad } from "../load/hey.js";
import type { GeneratedLoad } from "../model/generated-load.js";
import { durationMs, GATE_HOOK_TYPES, HookType } from "../model/index.js";
import { child, duration, isObj, list, type Obj } from "./fields.js";
import type { Notes } from "./notes.js";

// The load tester's own load generators; a command starting with one of them generates load.
const LOAD_GENERATOR = /^\s*(?:\S*\/)?(hey|fortio|k6|wrk|ghz|vegeta|locust|ab)(\s|$)/;

/** Flagger's webhook types are Sluice's hook types, name for name (docs/hooks.md). */
const TYPES = new Set<string>(HookType.options);
const GATE_TYPES = new Set<string>(GATE_HOOK_TYPES);

/** The load tester's gate endpoints: its gates live in its memory; Sluice's manual gates are durable. */
const LOADTESTER_GATE = /\/gate\/(approve|halt|check)\/?$/;

/** What a Canary's webhooks become: hooks on the rollout. */
export interface ImportedWebhooks {
  hooks: Obj[];
}

/**
 * Maps a Canary's webhooks by `type` (Flagger's default is `rollout`) to Sluice hooks of the same
 * type, never by URL: a webhook on the load tester may just as well run an acceptance test.
 * Exceptions: a `rollout` webhook running `hey` becomes the analysis steps' load section (D's
 * src/load/hey.ts), other load generators are dropped with a warning; a gate on the load tester's
 * `/gate/approve|halt|check` becomes a manual gate (`sluice gate open`), since the load tester's
 * gate state is lost on restart. `pre-rollout` and `rollout` checks keep Flagger's tolerance: the
 * analysis threshold's failures abort.
 */
export function flaggerWebhooks(
  raw: unknown,
  path: string,
  notes: Notes,
  /** Receives a `hey` load-test webhook as a load section (src/load/hey.ts). */
  onLoad?: (load: GeneratedLoad, at: string) => void,
  /** Flagger's analysis threshold: failed checks before a rollback. */
  threshold = 1,
): ImportedWebhooks {
  const hooks: Obj[] = [];
  const names = new Set<string>();
  list(raw, path, notes).forEach((w, i) => {
    const at = child(path, i);
    const hook = isObj(w) ? w : {};
    const name = typeof hook.name === "string" ? hook.name : `#${i}`;
    const type = typeof hook.type === "string" && hook.type !== "" ? hook.type : "rollout";
    const meta = isObj(hook.metadata) ? hook.metadata : {};
    const cmd = typeof meta.cmd === "string" ? meta.cmd : "";
    if (type === "rollout" && LOAD_GENERATOR.test(cmd)) {
      const hey = onLoad && LOAD_GENERATOR.exec(cmd)?.[1] === "hey" ? heyLoad(cmd) : undefined;
      if (hey?.ok) {
        onLoad?.(hey.load, at);
        notes.warn(
          at,
          `load-test webhook "${name}": Sluice sends this load itself (load on the analysis steps); ${hey.notes.join("; ")}`,
        );
        return;
      }
      notes.warn(
        at,
        `load-test webhook "${name}": ${hey ? `${hey.error}; ` : ""}Sluice generates load only in place of hey; run your load generator yourself; dropped`,
      );
      return;
    }
    if (!TYPES.has(type)) {
      notes.unsupported(at, `webhook "${name}" has type "${type}", which Flagger does not define`);
      return;
    }
    const url = typeof hook.url === "string" ? hook.url : undefined;
    if (!url || !/^https?:\/\//.test(url)) {
      notes.unsupported(at, `${type} webhook "${name}" has no http(s) url`);
      return;
    }
    const out: Obj = { name: uniqueName(name, i, names), type };
    const gate = LOADTESTER_GATE.exec(new URL(url, "http://x").pathname);
    if (GATE_TYPES.has(type) && gate) {
      out.manual = {};
      notes.warn(
        at,
        `${type} webhook "${name}" uses the load tester's /gate/${gate[1]}: now a manual gate that survives restarts; open it with \`sluice gate open\`${gate[1] === "approve" ? " (the load tester approved it every time: remove the hook to not wait)" : ""}`,
      );
    } else out.webhook = { url };
    const timeout = duration(hook.timeout, child(at, "timeout"), notes);
    if (timeout !== undefined && !out.manual)
      out.timeoutSeconds = Math.min(600, Math.max(1, Math.round(durationMs(timeout) / 1000)));
    if (typeof hook.retries === "number" && Number.isInteger(hook.retries) && hook.retries > 0 && !out.manual)
      out.retries = Math.min(10, hook.retries);
    if ((type === "pre-rollout" || type === "rollout") && threshold > 1) out.failureLimit = threshold - 1;
    const metadata = Object.fromEntries(
      Object.entries(meta).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
    if (Object.keys(metadata).length > 0 && !out.manual) out.metadata = metadata;
    if (hook.muteAlert !== undefined) notes.warn(child(at, "muteAlert"), "alerts are not muted by hooks; dropped");
    hooks.push(out);
  });
  return { hooks };
}

/** A hook name Sluice accepts (lower-case letters, digits and '-', 63 at most), unique in the rollout. */
function uniqueName(name: string, index: number, taken: Set<string>): string {
  let base = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 55);
  if (base === "") base = `webhook-${index}`;
  let out = base;
  for (let n = 2; taken.has(out); n++) out = `${base}-${n}`;
  taken.add(out);
  return out;
}
