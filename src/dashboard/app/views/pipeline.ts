import { useEffect, useState } from "preact/hooks";
import type { GateView, StageView } from "../../../pipeline/types.js";
import { allowedActions, countdown, pipelineStages, releaseChanges } from "../../view-model.js";
import { call } from "../api.js";
import { html } from "../html.js";
import type { State } from "../store.js";
import { ConfirmButton } from "./confirm.js";

interface RecordItem {
  seq: number;
  type: string;
  at?: string;
  time?: string;
  actor?: string;
  stage?: string;
  release?: string;
  reason?: string;
  message?: string;
}

/** One pipeline: stages side by side with their release and gates, approve and deny, and the record. */
export function PipelineView(props: { state: State; name: string }) {
  const p = props.state.pipelines.get(props.name);
  const tick = props.state.recordTicks.get(props.name) ?? 0;
  const [record, setRecord] = useState<RecordItem[]>([]);
  const [recordError, setRecordError] = useState("");
  const [now, setNow] = useState(new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  useEffect(() => {
    call<RecordItem[]>("GET", `/api/v1/pipelines/${encodeURIComponent(props.name)}/record`).then(
      (r) => {
        setRecord(r);
        setRecordError("");
      },
      (err) => setRecordError(String((err as Error).message)),
    );
  }, [props.name, tick, p?.metadata.resourceVersion]);
  if (!p) return html`<h1>Pipeline ${props.name}</h1><p>${props.state.loaded ? "Not found." : "Loading…"}</p>`;
  const can = allowedActions(props.state.me?.role ?? "viewer");
  const stages = pipelineStages(p);
  const message = (p.status as { message?: string } | undefined)?.message;
  return html`
    <p><a href="#/">← Overview</a></p>
    <h1>Pipeline ${p.metadata.name}</h1>
    ${message && html`<p class="message">${message}</p>`}
    <div class="stages">
      ${stages.map(
        (st) =>
          html`<${Stage} key=${st.stage} pipeline=${p.metadata.name} stage=${st} now=${now} can=${can} releases=${props.state.releases} />`,
      )}
    </div>
    <section aria-labelledby="record-h">
      <h2 id="record-h">Record</h2>
      ${recordError && html`<p class="error">${recordError}</p>`}
      <ol class="timeline">
        ${[...record]
          .reverse()
          .slice(0, 100)
          .map(
            (e) => html`<li key=${e.seq}>
              <time>${new Date(e.at ?? e.time ?? "").toLocaleString()}</time> <strong>${e.type}</strong>
              ${e.stage ? ` ${e.stage}` : ""}${e.release ? ` ${e.release}` : ""}${e.actor ? html` <span class="muted">by ${e.actor}</span>` : ""}
              ${e.reason ? `: ${e.reason}` : e.message ? `: ${e.message}` : ""}
            </li>`,
          )}
      </ol>
    </section>
  `;
}

/** What the page says once a request is accepted. */
const DONE_WORDS = { approve: "Approved", deny: "Denied", promote: "Promotion asked for", retry: "Retrying" } as const;

const UNTIL: Partial<Record<GateView["gate"], string>> = {
  soak: "done in",
  window: "opens in",
  approval: "expires in",
};

function Stage(props: {
  pipeline: string;
  stage: StageView;
  now: Date;
  can: ReturnType<typeof allowedActions>;
  releases: State["releases"];
}) {
  const st = props.stage;
  const [done, setDone] = useState("");
  const approval = st.gates.find((g) => g.gate === "approval" && g.state === "Waiting");
  const release = st.candidate ?? st.desired;
  const ask = (verb: "approve" | "deny" | "promote" | "retry") => async (reason: string) => {
    await call("POST", `/api/v1/pipelines/${encodeURIComponent(props.pipeline)}/${verb}`, {
      stage: st.stage,
      release,
      reason,
    });
    return `${DONE_WORDS[verb]} ${release}`;
  };
  return html`<article class="stage" data-stage=${st.stage}>
    <h2>${st.stage} <span class=${`phase phase-${st.state}`}>${st.state}</span></h2>
    <p>Release: <strong>${st.release ?? "none"}</strong>${st.candidate && st.candidate !== st.release ? html` → <strong>${st.candidate}</strong>` : ""}</p>
    ${[...new Set([st.release, st.candidate])].map((name) => {
      const r = name ? props.releases.get(name) : undefined;
      return r && html`<p class="muted" data-release=${name}>${name}: ${releaseChanges(r)}</p>`;
    })}
    ${st.message && html`<p class="message">${st.message}</p>`}
    <ul class="gates">
      ${st.gates.map(
        (g) => html`<li class=${`gate gate-${g.state}`}>
          ${g.gate}: ${g.state.toLowerCase()}
          ${g.state === "Waiting" && g.until ? html` <span class="countdown">(${UNTIL[g.gate] ?? "until"} ${countdown(g.until, props.now)})</span>` : ""}
          ${g.message ? html`<div class="muted">${g.message}</div>` : ""}
        </li>`,
      )}
    </ul>
    ${
      approval &&
      props.can.approve &&
      release &&
      html`<div class="actions" role="group" aria-label=${`Approval of ${st.stage}`}>
        <${ConfirmButton} label="Approve" question=${`Approve ${release} into ${st.stage}?`} reason=${true} run=${ask("approve")} onDone=${setDone} />
        <${ConfirmButton} label="Deny" question=${`Deny ${release} for ${st.stage}?`} reason=${true} danger=${true} run=${ask("deny")} onDone=${setDone} />
      </div>`
    }
    ${
      props.can.pipelineOps &&
      release &&
      (st.state === "Failed" || (st.state === "Waiting" && !approval)) &&
      html`<div class="actions" role="group" aria-label=${`Operations on ${st.stage}`}>
        ${
          st.state === "Failed"
            ? html`<${ConfirmButton} label="Retry" question=${`Run the gates of ${st.stage} for ${release} again?`} reason=${true} run=${ask("retry")} onDone=${setDone} />`
            : html`<${ConfirmButton} label="Promote" question=${`Ask to promote ${release} into ${st.stage}? It still goes through the stage's gates.`} reason=${true} run=${ask("promote")} onDone=${setDone} />`
        }
      </div>`
    }
    ${done && html`<p role="status" class="outcome">${done}</p>`}
  </article>`;
}
