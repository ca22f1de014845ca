import "uplot/dist/uPlot.min.css";
import "./style.css";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { call, RequestError } from "./api.js";
import { html } from "./html.js";
import { connect, disconnect, getState, onChange, type State, setMe } from "./store.js";
import { Header } from "./views/header.js";
import { Overview } from "./views/overview.js";
import { PipelineView } from "./views/pipeline.js";
import { RolloutView } from "./views/rollout.js";
import { SignIn } from "./views/sign-in.js";

/** Which view the address names: `#/`, `#/rollouts/NAME`, `#/pipelines/NAME`. */
function route(): { view: "overview" } | { view: "rollout" | "pipeline"; name: string } {
  const m = /^#\/(rollouts|pipelines)\/([^/]+)$/.exec(location.hash);
  if (!m) return { view: "overview" };
  return { view: m[1] === "rollouts" ? "rollout" : "pipeline", name: decodeURIComponent(m[2] ?? "") };
}

function useStore(): State {
  const [s, set] = useState(getState());
  useEffect(() => onChange(() => set(getState())), []);
  return s;
}

function App() {
  const s = useStore();
  const [where, setWhere] = useState(route());
  const [checked, setChecked] = useState(false);
  useEffect(() => {
    const on = () => {
      setWhere(route());
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  useEffect(() => {
    call<{ name: string; role: string }>("GET", "/api/v1/whoami").then(
      (me) => {
        setMe(me);
        connect();
        setChecked(true);
      },
      (err) => {
        if (!(err instanceof RequestError && err.status === 401)) console.error(err);
        setChecked(true);
      },
    );
  }, []);
  if (!checked) return html`<main class="page"><p>Loading…</p></main>`;
  if (!s.me)
    return html`<${SignIn}
      onSignedIn=${(me: State["me"]) => {
        setMe(me);
        connect();
      }}
    />`;
  const signOut = async () => {
    await call("DELETE", "/dashboard/session").catch(() => undefined);
    disconnect();
    setMe(undefined);
  };
  return html`
    <${Header} state=${s} onSignOut=${signOut} />
    <main id="main" class="page">
      ${
        where.view === "overview"
          ? html`<${Overview} state=${s} />`
          : where.view === "rollout"
            ? html`<${RolloutView} state=${s} name=${where.name} />`
            : html`<${PipelineView} state=${s} name=${where.name} />`
      }
    </main>
  `;
}

const root = document.getElementById("app");
if (root) render(html`<${App} />`, root);
