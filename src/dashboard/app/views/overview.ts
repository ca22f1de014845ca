import { useMemo, useState } from "preact/hooks";
import { filterRows, type OverviewRow, overviewRows } from "../../view-model.js";
import { html } from "../html.js";
import type { State } from "../store.js";

const PHASES = ["", "Progressing", "Paused", "Healthy", "Degraded", "Failed"];

function link(row: OverviewRow): string {
  return `#/${row.kind === "Rollout" ? "rollouts" : "pipelines"}/${encodeURIComponent(row.name)}`;
}

/** Every rollout and pipeline; what needs a person first; searchable and filterable by phase. */
export function Overview(props: { state: State }) {
  const { rollouts, pipelines, loaded } = props.state;
  const [query, setQuery] = useState("");
  const [phase, setPhase] = useState("");
  const rows = useMemo(() => overviewRows([...rollouts.values()], [...pipelines.values()]), [rollouts, pipelines]);
  const shown = useMemo(() => filterRows(rows, query, phase), [rows, query, phase]);
  const attention = shown.filter((r) => r.attention);
  return html`
    <h1>Overview</h1>
    <div class="filters" role="search">
      <label>Search <input type="search" value=${query} onInput=${(e: Event) => setQuery((e.target as HTMLInputElement).value)} /></label>
      <label
        >Phase
        <select value=${phase} onChange=${(e: Event) => setPhase((e.target as HTMLSelectElement).value)}>
          ${PHASES.map((p) => html`<option value=${p}>${p || "any"}</option>`)}
        </select>
      </label>
      <span class="muted" data-testid="count">${shown.length} of ${rows.length}</span>
    </div>
    ${
      attention.length > 0 &&
      html`<section aria-labelledby="attention-h" class="attention">
        <h2 id="attention-h">Needs a person</h2>
        <ul>
          ${attention.map((r) => html`<li><a href=${link(r)}>${r.kind} ${r.name}</a>: ${r.attention}</li>`)}
        </ul>
      </section>`
    }
    ${!loaded && html`<p>Loading…</p>`}
    ${loaded && rows.length === 0 && html`<p>No rollouts or pipelines yet. Apply some with <code>sluice apply -f</code>.</p>`}
    <div class="scroll">
      <table class="overview">
        <thead>
          <tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Phase</th><th scope="col">Step</th><th scope="col">Weights / stages</th><th scope="col">Message</th></tr>
        </thead>
        <tbody>
          ${shown.map(
            (r) => html`<tr key=${`${r.kind}/${r.name}`} data-name=${r.name}>
              <td>${r.kind}</td>
              <td><a href=${link(r)}>${r.name}</a></td>
              <td><span class=${`phase phase-${r.phase}`}>${r.phase}</span></td>
              <td>${r.step}</td>
              <td class="weights">${r.weights}</td>
              <td class="message">${r.message}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  `;
}
