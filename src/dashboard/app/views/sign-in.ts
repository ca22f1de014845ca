import { useState } from "preact/hooks";
import { call, RequestError } from "../api.js";
import { html } from "../html.js";

/** Sign-in with an API token: the session is an HttpOnly cookie the page's scripts never see. */
export function SignIn(props: { onSignedIn: (me: { name: string; role: string }) => void }) {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const token = (form.elements.namedItem("token") as HTMLInputElement).value.trim();
    setBusy(true);
    setError("");
    try {
      const me = await call<{ name: string; role: string }>("POST", "/dashboard/session", { token });
      props.onSignedIn(me);
    } catch (err) {
      setError(err instanceof RequestError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return html`
    <main class="page sign-in">
      <h1>Sluice</h1>
      <form onSubmit=${submit} aria-describedby="sign-in-help">
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required spellcheck="false" />
        <p id="sign-in-help" class="muted">
          A named token (<code>sluice token create NAME --role viewer</code>) or the state directory's
          <code>api-token</code>. What you may do is the token's role.
        </p>
        ${error && html`<p role="alert" class="error">${error}</p>`}
        <button type="submit" disabled=${busy}>Sign in</button>
      </form>
    </main>
  `;
}
