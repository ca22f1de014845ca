import { useEffect, useState } from "preact/hooks";
import { html } from "../html.js";
import type { State } from "../store.js";

/** The top bar: where you are, whether the page is live, who is signed in. */
export function Header(props: { state: State; onSignOut: () => void }) {
  const { live, me } = props.state;
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  const badge =
    live.state === "live"
      ? html`<span class="live ok" data-live="live">● Live</span>`
      : live.state === "connecting"
        ? html`<span class="live" data-live="connecting">Connecting…</span>`
        : html`<span class="live stale" data-live="stale" role="status"
            >Stale for ${Math.max(0, Math.round((Date.now() - live.since) / 1000))} s: reconnecting</span
          >`;
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="bar">
      <a href="#/" class="brand">Sluice</a>
      ${badge}
      <span class="me">${me?.name} <span class="role">${me?.role}</span></span>
      <button type="button" class="secondary" onClick=${props.onSignOut}>Sign out</button>
    </header>
  `;
}
