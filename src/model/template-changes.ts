import { isDeepStrictEqual } from "node:util";
import type { WorkloadTemplate } from "./workload.js";

/** Most lines {@link templateChanges} returns; the rest are counted in a last line. */
export const MAX_CHANGE_LINES = 20;
/** Longest image, command or flag value shown, in characters. */
const MAX_SHOWN = 120;
/** The variable a release's feature flags live in (its `featuresEnv` default): shown flag by flag. */
const FEATURES_ENV = "SLUICE_FEATURES";

type EnvLike = { name: string; value?: unknown; valueFrom?: unknown };
type Container = { name: string; image?: string; command?: unknown; args?: unknown; env?: EnvLike[] };

/**
 * What changed from one revision's template to another's, in short lines a person reads: images,
 * commands, the names of env vars added, removed or changed (never their values, which may be
 * secrets), and feature flags one by one.
 *
 * @example
 * templateChanges(stable, canary) // ["app: image shop:1 → shop:2", "app: env +CACHE_URL", "feature checkout: off → on"]
 */
export function templateChanges(from: WorkloadTemplate, to: WorkloadTemplate): string[] {
  const lines: string[] = [];
  if (from.process && to.process) {
    const a = from.process;
    const b = to.process;
    if (!isDeepStrictEqual([a.command, a.args], [b.command, b.args]))
      lines.push(`command ${shown([a.command, ...a.args].join(" "))} → ${shown([b.command, ...b.args].join(" "))}`);
    lines.push(...envChanges("", a.env, b.env));
    if (a.cwd !== b.cwd) lines.push(`cwd ${a.cwd ?? "(default)"} → ${b.cwd ?? "(default)"}`);
  } else if (from.spec && to.spec) {
    lines.push(...containerChanges(from.spec.containers as Container[], to.spec.containers as Container[]));
  } else if (!isDeepStrictEqual(from, to)) {
    lines.push(from.process ? "a process became a pod spec" : "a pod spec became a process");
  }
  if (lines.length === 0 && !isDeepStrictEqual(from, to)) lines.push("other template fields changed");
  if (lines.length <= MAX_CHANGE_LINES) return lines;
  return [...lines.slice(0, MAX_CHANGE_LINES - 1), `… and ${lines.length - MAX_CHANGE_LINES + 1} more`];
}

/**
 * What a template runs, in a line: the image of each container or the command, and the names of
 * its env vars (never their values).
 */
export function templateSummary(t: WorkloadTemplate): string {
  const names = (env: readonly EnvLike[] | undefined) => (env ?? []).map((e) => e.name).join(", ") || "none";
  if (t.process)
    return `command ${shown([t.process.command, ...t.process.args].join(" "))}; env ${names(t.process.env)}`;
  const containers = (t.spec?.containers ?? []) as Container[];
  return containers.map((c) => `${c.name}: image ${shown(c.image ?? "?")}; env ${names(c.env)}`).join(" · ");
}

function containerChanges(from: Container[], to: Container[]): string[] {
  const lines: string[] = [];
  const before = new Map(from.map((c) => [c.name, c]));
  for (const b of to) {
    const a = before.get(b.name);
    if (!a) {
      lines.push(`container ${b.name} added (image ${shown(b.image ?? "?")})`);
      continue;
    }
    if (a.image !== b.image) lines.push(`${b.name}: image ${shown(a.image ?? "?")} → ${shown(b.image ?? "?")}`);
    if (!isDeepStrictEqual([a.command, a.args], [b.command, b.args])) lines.push(`${b.name}: command or args changed`);
    lines.push(...envChanges(`${b.name}: `, a.env ?? [], b.env ?? []));
  }
  const after = new Set(to.map((c) => c.name));
  for (const a of from) if (!after.has(a.name)) lines.push(`container ${a.name} removed`);
  return lines;
}

function envChanges(prefix: string, from: readonly EnvLike[], to: readonly EnvLike[]): string[] {
  const lines: string[] = [];
  const before = new Map(from.map((e) => [e.name, e]));
  const after = new Map(to.map((e) => [e.name, e]));
  const added = [...after.keys()].filter((k) => !before.has(k) && k !== FEATURES_ENV);
  const removed = [...before.keys()].filter((k) => !after.has(k) && k !== FEATURES_ENV);
  const changed = [...after.keys()].filter(
    (k) => before.has(k) && k !== FEATURES_ENV && !isDeepStrictEqual(before.get(k), after.get(k)),
  );
  if (added.length > 0) lines.push(`${prefix}env ${added.map((k) => `+${k}`).join(" ")}`);
  if (removed.length > 0) lines.push(`${prefix}env ${removed.map((k) => `-${k}`).join(" ")}`);
  if (changed.length > 0) lines.push(`${prefix}env ${changed.join(", ")} changed`);
  lines.push(...featureChanges(before.get(FEATURES_ENV)?.value, after.get(FEATURES_ENV)?.value));
  return lines;
}

/** Feature flags one by one: `feature checkout: off → on`, `feature banner added (on)`. */
function featureChanges(from: unknown, to: unknown): string[] {
  const a = flags(from);
  const b = flags(to);
  const lines: string[] = [];
  for (const [k, v] of Object.entries(b)) {
    if (!(k in a)) lines.push(`feature ${k} added (${flagValue(v)})`);
    else if (!isDeepStrictEqual(a[k], v)) lines.push(`feature ${k}: ${flagValue(a[k])} → ${flagValue(v)}`);
  }
  for (const k of Object.keys(a)) if (!(k in b)) lines.push(`feature ${k} removed`);
  return lines;
}

function flags(value: unknown): Record<string, unknown> {
  if (typeof value !== "string") return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

function flagValue(v: unknown): string {
  return v === true ? "on" : v === false ? "off" : shown(JSON.stringify(v) ?? "null");
}

function shown(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}
