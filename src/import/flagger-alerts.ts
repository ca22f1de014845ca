import type { ImportContext } from "./context.js";
import { child, known, list, mapping, put, str } from "./fields.js";
import type { Notes } from "./notes.js";

/**
 * Which events each Flagger alert severity is told about. Flagger's `info` covers every stage, so
 * it keeps Sluice's default set (no `on`); `warn` and `error` narrow it to trouble.
 */
const REASONS_BY_SEVERITY: Record<string, string[] | undefined> = {
  info: undefined,
  warn: ["RolloutAborted", "ProgressDeadlineExceeded", "Paused"],
  error: ["RolloutAborted", "ProgressDeadlineExceeded"],
};

/**
 * A Canary's `analysis.alerts` as Sluice notifications. Each alert names an AlertProvider: a
 * `slack` one becomes a Slack webhook, any other a JSON one (with a warning, as the receiver must
 * accept Sluice's body). The URL is read where Flagger reads it: the provider's Secret (key
 * `address`), else its `address`. A provider missing from the input leaves a Secret reference to
 * fill in, with a warning.
 */
export function flaggerAlerts(
  raw: unknown,
  path: string,
  namespace: string | undefined,
  ctx: ImportContext,
): unknown[] {
  const notes = ctx.notes;
  const out: unknown[] = [];
  list(raw, path, notes).forEach((entry, i) => {
    const at = child(path, i);
    const alert = mapping(entry, at, notes);
    if (!alert) return;
    known(alert, at, notes, ["name", "severity", "providerRef"]);
    const ref = mapping(alert.providerRef, child(at, "providerRef"), notes);
    const providerName = ref && str(ref.name, child(child(at, "providerRef"), "name"), notes);
    if (!providerName) {
      notes.warn(at, "names no AlertProvider; dropped");
      return;
    }
    const severity = str(alert.severity, child(at, "severity"), notes) ?? "info";
    if (!(severity in REASONS_BY_SEVERITY))
      notes.warn(child(at, "severity"), `unknown severity "${severity}"; notified as info`);
    const providerNamespace =
      (ref && str(ref.namespace, child(child(at, "providerRef"), "namespace"), notes)) ?? namespace;
    const found = ctx.find("AlertProvider", providerName, providerNamespace);
    const webhook = found
      ? webhookOf(found.value, found.notes, providerName)
      : missingProvider(providerName, at, notes);
    const notification: Record<string, unknown> = { name: str(alert.name, child(at, "name"), notes) ?? providerName };
    put(notification, "on", REASONS_BY_SEVERITY[severity]);
    notification.webhook = webhook;
    out.push(notification);
  });
  return out;
}

function webhookOf(provider: Record<string, unknown>, notes: Notes, name: string): Record<string, unknown> {
  const spec = mapping(provider.spec, "spec", notes) ?? {};
  known(spec, "spec", notes, ["type", "address", "secretRef"], ["channel", "username", "proxy"]);
  for (const k of ["channel", "username", "proxy"])
    if (spec[k] !== undefined) notes.warn(child("spec", k), "Sluice posts to the webhook URL as it is; dropped");
  const type = str(spec.type, "spec.type", notes) ?? "slack";
  if (type !== "slack")
    notes.warn(
      "spec.type",
      `${type}: Sluice sends its JSON body to it; check the receiver accepts it (see docs/notifications.md)`,
    );
  const webhook: Record<string, unknown> = { format: type === "slack" ? "slack" : "json" };
  const secret = mapping(spec.secretRef, "spec.secretRef", notes);
  const secretName = secret && str(secret.name, "spec.secretRef.name", notes);
  const address = str(spec.address, "spec.address", notes);
  if (secretName) webhook.urlFrom = { secretKeyRef: { name: secretName, key: "address" } };
  else if (address) webhook.url = address;
  else {
    notes.warn(
      "spec",
      `AlertProvider ${name} has neither address nor secretRef; a Secret "${name}" with key "address" is assumed`,
    );
    webhook.urlFrom = { secretKeyRef: { name, key: "address" } };
  }
  return webhook;
}

function missingProvider(name: string, at: string, notes: Notes): Record<string, unknown> {
  notes.warn(
    child(at, "providerRef"),
    `AlertProvider ${name} is not in the input; the webhook URL is read from Secret "${name}" key "address": create it or change spec.notifications`,
  );
  return { format: "slack", urlFrom: { secretKeyRef: { name, key: "address" } } };
}
