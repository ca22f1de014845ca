import { useRef, useState } from "preact/hooks";
import { RequestError } from "../api.js";
import { html } from "../html.js";

/**
 * A button that asks before it acts: a dialog says what will happen, optionally takes a reason,
 * and shows the API's answer (the outcome, or its one-line error) once it is done.
 */
export function ConfirmButton(props: {
  label: string;
  /** What will happen, in a sentence. */
  question: string;
  /** Ask for a reason (pipeline requests keep one in the record). */
  reason?: boolean;
  danger?: boolean;
  run: (reason: string) => Promise<string>;
  /**
   * Receives the outcome instead of showing it beside the button: for buttons that go away once
   * they have worked (an approval that is no longer waiting), so the outcome stays on screen.
   */
  onDone?: (outcome: string) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const reason = props.reason ? (form.elements.namedItem("reason") as HTMLInputElement).value.trim() : "";
    setBusy(true);
    try {
      const text = await props.run(reason);
      dialog.current?.close();
      if (props.onDone) props.onDone(text);
      else setOutcome({ ok: true, text });
    } catch (err) {
      setOutcome({ ok: false, text: err instanceof RequestError ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return html`<span class="action">
    <button
      type="button"
      class=${props.danger ? "danger" : ""}
      onClick=${() => {
        setOutcome(undefined);
        dialog.current?.showModal();
      }}
    >
      ${props.label}
    </button>
    <dialog ref=${dialog} aria-label=${props.label}>
      <form onSubmit=${submit}>
        <p>${props.question}</p>
        ${props.reason && html`<label>Reason <input name="reason" required maxlength="1000" /></label>`}
        ${outcome && !outcome.ok && html`<p role="alert" class="error">${outcome.text}</p>`}
        <div class="buttons">
          <button type="button" class="secondary" onClick=${() => dialog.current?.close()}>Cancel</button>
          <button type="submit" class=${props.danger ? "danger" : ""} disabled=${busy}>Confirm ${props.label.toLowerCase()}</button>
        </div>
      </form>
    </dialog>
    ${outcome?.ok && html`<span role="status" class="outcome">${outcome.text}</span>`}
  </span>`;
}
