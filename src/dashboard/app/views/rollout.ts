import { useEffect, useState } from "preact/hooks";
import type { Rollout } from "../../../model/index.js";
import { allowedActions, canarySteps, describeStep, releaseChanges } from "../../view-model.js";
import { call } from "../api.js";
import { html } from "../html.js";
import type { EventItem, MetricResult, Run, State } from "../store.js";
import { JudgeChart, MeasurementChart } from "./chart.js";
import { ConfirmButton } from "./confirm.js";

const ACTIONS: { verb: string; label: string; question: string; danger?: boolean }[] = [
  { verb: "promote", label: "Promote", question: "Go to the next step (or end the pause) now?" },
  {
    verb: "promote-full",
    label: "Promote full",
    question: "Skip every remaining step and analysis, and send all traffic to the new revision?",
  },
  { verb: "pause", label: "Pause", question: "Hold the rollout at its current step until resumed?" },
  { verb: "resume", label: "Resume", question: "Let the rollout carry on from where it was paused?" },
  { verb: "abort", label: "Abort", question: "Send all traffic back to the stable revision?", danger: true },
  { verb: "retry", label: "Retry", question: "Start the aborted rollout again from its first step?" },
  { verb: "undo", label: "Undo", question: "Roll back to the previous revision (a new rollout of it)?", danger: true },
];

/** One rollout: actions, step plan, weights, revisions, analysis with charts, events. */
export function RolloutView(props: { state: State; name: string }) {
  const r = props.state.rollouts.get(props.name);
  if (!r) return html`<h1>Rollout ${props.name}</h1><p>${props.state.loaded ? "Not found." : "Loading…"}</p>`;
  const can = allowedActions(props.state.me?.role ?? "viewer");
  const s = r.status;
  const runs = [...props.state.runs.values()]
    .filter((run) => run.metadata.labels?.["sluice.dev/rollout"] === props.name)
    .sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""));
  const events = props.state.events
    .filter((e) => e.kind === "Rollout" && e.name === props.name)
    .slice(-50)
    .reverse();
  return html`
    <p><a href="#/">← Overview</a></p>
    <h1>Rollout ${r.metadata.name} <span class=${`phase phase-${s?.phase}`} data-testid="phase">${s?.phase ?? "Pending"}</span></h1>
    <p class="message">${s?.message}</p>
    ${
      can.rollout &&
      html`<div class="actions" role="group" aria-label="Rollout actions">
        ${ACTIONS.map(
          (a) => html`<${ConfirmButton}
            label=${a.label}
            question=${a.question}
            danger=${a.danger}
            run=${async () => {
              await call("POST", `/api/v1/rollouts/${encodeURIComponent(r.metadata.name)}/${a.verb}`);
              return `${a.label}: done`;
            }}
          />`,
        )}
      </div>`
    }
    <${Weights} rollout=${r} />
    <${Steps} rollout=${r} />
    <${Revisions} rollout=${r} releases=${props.state.releases} />
    <section aria-labelledby="analysis-h">
      <h2 id="analysis-h">Analysis runs</h2>
      ${runs.length === 0 && html`<p class="muted">None yet.</p>`}
      ${runs.slice(0, 5).map((run) => html`<${RunView} key=${run.metadata.name} run=${run} />`)}
    </section>
    <${Timeline} events=${events} />
  `;
}

function Weights(props: { rollout: Rollout }) {
  const revisions = (props.rollout.status?.revisions ?? []).filter((v) => v.role !== "old");
  // A revision at 0% takes no room in the bar; the table below still lists it.
  const shown = revisions.filter((v) => v.weight > 0);
  return html`<section aria-labelledby="weights-h">
    <h2 id="weights-h">Traffic</h2>
    <div class="weightbar" role="img" aria-label=${revisions.map((v) => `${v.role} ${v.weight}%`).join(", ")}>
      ${shown.map(
        (v) =>
          html`<span class=${`w w-${v.role}`} style=${`width:${Math.max(v.weight, 0)}%`} data-role=${v.role} data-weight=${v.weight}
            >${v.weight > 8 ? `${v.role} ${v.weight}%` : ""}</span
          >`,
      )}
    </div>
  </section>`;
}

function Steps(props: { rollout: Rollout }) {
  const steps = canarySteps(props.rollout);
  if (steps.length === 0) return null;
  const current = props.rollout.status?.currentStepIndex ?? 0;
  return html`<section aria-labelledby="steps-h">
    <h2 id="steps-h">Steps</h2>
    <ol class="steps">
      ${steps.map(
        (st, i) =>
          html`<li class=${i < current ? "done" : i === current ? "current" : ""} aria-current=${i === current ? "step" : undefined}>
            ${describeStep(st)}
          </li>`,
      )}
    </ol>
  </section>`;
}

/** What a template runs, in a line: image or command, and the names of its env vars (never their values). */
function templateSummary(t: unknown): string {
  const tpl = t as {
    process?: { command?: string; args?: string[]; env?: { name: string }[] };
    spec?: { containers?: { image?: string; env?: { name: string }[] }[] };
  };
  if (tpl.process)
    return `command ${[tpl.process.command, ...(tpl.process.args ?? [])].join(" ").slice(0, 200)}; env ${(tpl.process.env ?? []).map((e) => e.name).join(", ") || "none"}`;
  const c = tpl.spec?.containers ?? [];
  return c.map((x) => `image ${x.image}; env ${(x.env ?? []).map((e) => e.name).join(", ") || "none"}`).join(" · ");
}

/** What each revision runs and what it changes against stable, as `GET /rollouts/NAME/revisions` says. */
type RevisionTemplates = Record<string, { summary?: string; changes?: string[] }>;

/** Fetches the revisions' templates again whenever the set of revisions changes (not on every status). */
function useRevisionTemplates(rollout: Rollout): RevisionTemplates {
  const [templates, setTemplates] = useState<RevisionTemplates>({});
  const name = rollout.metadata.name;
  const key = (rollout.status?.revisions ?? []).map((v) => v.hash).join(",");
  useEffect(() => {
    let live = true;
    call<{ items: { hash: string; summary?: string; changes?: string[] }[] }>(
      "GET",
      `/api/v1/rollouts/${encodeURIComponent(name)}/revisions`,
    ).then(
      (body) => live && setTemplates(Object.fromEntries(body.items.map((i) => [i.hash, i]))),
      // Not knowing what changed leaves the column empty; the rest of the page still stands.
      () => live && setTemplates({}),
    );
    return () => {
      live = false;
    };
  }, [name, key]);
  return templates;
}

function Revisions(props: { rollout: Rollout; releases: State["releases"] }) {
  const s = props.rollout.status;
  const tpl = props.rollout.spec.template as { metadata?: { annotations?: Record<string, string> } };
  const releaseName = tpl.metadata?.annotations?.["sluice.dev/release"];
  const release = releaseName ? props.releases.get(releaseName) : undefined;
  const templates = useRevisionTemplates(props.rollout);
  return html`<section aria-labelledby="revisions-h">
    <h2 id="revisions-h">Revisions</h2>
    <div class="scroll"><table>
      <thead><tr><th scope="col">#</th><th scope="col">Hash</th><th scope="col">Role</th><th scope="col">Weight</th><th scope="col">Ready</th><th scope="col">Runs · changes against stable</th></tr></thead>
      <tbody>
        ${(s?.revisions ?? []).map(
          (v) => html`<tr key=${v.hash} data-revision=${v.role}>
            <td>${v.number}</td><td><code>${v.hash.slice(0, 10)}</code></td><td>${v.role}</td><td>${v.weight}%</td>
            <td>${v.readyReplicas ?? "?"}/${v.replicas}</td>
            <td>${templates[v.hash]?.summary ?? ""}
              ${(templates[v.hash]?.changes ?? []).length > 0 && html`<ul class="changes">${templates[v.hash]?.changes?.map((c) => html`<li>${c}</li>`)}</ul>`}
            </td>
          </tr>`,
        )}
      </tbody>
    </table></div>
    ${release && html`<p data-release=${releaseName}>Release ${releaseName}: ${releaseChanges(release)}</p>`}
    <p class="muted">Current template (revision ${s?.currentRevision?.slice(0, 10) ?? "?"}): ${templateSummary(props.rollout.spec.template)}</p>
  </section>`;
}

function RunView(props: { run: Run }) {
  const { run } = props;
  const results = run.status?.metricResults ?? [];
  return html`<article class="run" data-run=${run.metadata.name}>
    <h3>${run.metadata.name} <span class=${`phase phase-${run.status?.phase}`}>${run.status?.phase ?? "Pending"}</span></h3>
    ${run.status?.message && html`<p class="message">${run.status.message}</p>`}
    ${results.map((m) => html`<${MetricView} key=${m.name} metric=${m} run=${run} />`)}
    <${MeasurementChart} run=${run} />
  </article>`;
}

interface JudgeView {
  looks?: Parameters<typeof JudgeChart>[0]["looks"];
  explanation?: string;
  outcome?: string;
  moreRequests?: number;
  requestRate?: number;
  resets?: number;
  deadline?: string;
}

/** While the judge is undecided: how much more evidence it needs, how soon at the current rate, and its deadline. */
function judgeProgress(judge: JudgeView): string {
  const parts: string[] = [];
  if (judge.moreRequests !== undefined) {
    const more = Math.round(judge.moreRequests);
    const rate = judge.requestRate ?? 0;
    parts.push(
      `about ${more} more canary requests needed${rate > 0 ? ` (~${Math.ceil(more / rate)} s at ${rate.toFixed(1)}/s)` : ""}`,
    );
  }
  if (judge.deadline)
    parts.push(
      `undecided at ${new Date(judge.deadline).toLocaleTimeString()} it ends by the template's onInsufficientEvidence`,
    );
  if (judge.resets) parts.push(`${judge.resets} counter reset(s): evidence restarted`);
  return parts.length > 0 ? `Judge still looking: ${parts.join("; ")}.` : "Judge still looking.";
}

function MetricView(props: { metric: MetricResult; run: Run }) {
  const m = props.metric;
  const judge = m.judge as JudgeView | undefined;
  const spec = props.run.spec.metrics.find((x) => x.name === m.name) as
    | { successCondition?: string; failureCondition?: string; judge?: { latency?: unknown } }
    | undefined;
  const measurements = m.measurements ?? [];
  return html`<div class="metric">
    <h4>${m.name}: <span class=${`phase phase-${m.phase}`}>${m.phase}</span></h4>
    ${m.message && html`<p class="message">${m.message}</p>`}
    ${judge?.explanation && html`<p class="verdict" data-testid="verdict">${judge.explanation}</p>`}
    ${judge?.outcome === "Running" && html`<p class="muted" data-testid="judge-progress">${judgeProgress(judge)}</p>`}
    ${judge?.looks && judge.looks.length > 0 && html`<${JudgeChart} looks=${judge.looks} title=${`${m.name}: canary vs baseline`} latency=${Boolean(spec?.judge?.latency)} />`}
    ${
      measurements.length > 0 &&
      html`<details>
        <summary>${measurements.length} measurements, conditions and queries</summary>
        ${spec?.successCondition && html`<p>Success when <code>${spec.successCondition}</code></p>`}
        ${spec?.failureCondition && html`<p>Failure when <code>${spec.failureCondition}</code></p>`}
        <div class="scroll"><table>
          <thead><tr><th scope="col">Time</th><th scope="col">Verdict</th><th scope="col">Value</th><th scope="col">Query</th></tr></thead>
          <tbody>
            ${measurements.slice(-30).map(
              (x) => html`<tr>
                <td>${new Date(x.finishedAt ?? x.startedAt).toLocaleTimeString()}</td>
                <td>${x.phase}</td>
                <td><code>${(x.value ?? x.message ?? "").slice(0, 200)}</code></td>
                <td><code>${(x.query ?? "").slice(0, 300)}</code></td>
              </tr>`,
            )}
          </tbody>
        </table></div>
      </details>`
    }
  </div>`;
}

function Timeline(props: { events: EventItem[] }) {
  return html`<section aria-labelledby="events-h">
    <h2 id="events-h">Events</h2>
    <ol class="timeline">
      ${props.events.map(
        (e) => html`<li key=${e.id} class=${e.type === "Warning" ? "warn" : ""}>
          <time datetime=${e.time}>${new Date(e.time).toLocaleTimeString()}</time>
          <strong>${e.reason}</strong> ${e.message}${e.actor ? html` <span class="muted">(by ${e.actor})</span>` : ""}
        </li>`,
      )}
    </ol>
  </section>`;
}
