import type { Pipeline, Release, Rollout } from "../../model/index.js";
import { call } from "./api.js";

/** An AnalysisRun as the API returns it (typed loosely: the judge adds fields as it grows). */
export interface Run {
  metadata: { name: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec: { metrics: { name: string; provider?: unknown; successCondition?: string; failureCondition?: string }[] };
  status?: {
    phase: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    metricResults?: MetricResult[];
    [k: string]: unknown;
  };
}

export interface MetricResult {
  name: string;
  phase: string;
  message?: string;
  measurements?: {
    phase: string;
    value?: string;
    startedAt: string;
    finishedAt?: string;
    message?: string;
    query?: string;
  }[];
  [k: string]: unknown;
}

export interface EventItem {
  id: number;
  kind: string;
  name: string;
  time: string;
  type: string;
  reason: string;
  message: string;
  actor?: string;
}

/** Whether the watch stream is live, being re-established, or down since a time. */
export type LiveState = { state: "live" } | { state: "connecting"; since: number } | { state: "stale"; since: number };

/** Everything the dashboard shows, kept current by the API's watch stream. */
export interface State {
  me?: { name: string; role: string };
  rollouts: Map<string, Rollout>;
  pipelines: Map<string, Pipeline>;
  runs: Map<string, Run>;
  releases: Map<string, Release>;
  events: EventItem[];
  live: LiveState;
  loaded: boolean;
  /** Bumped for a pipeline each time its record grows, so its view re-reads the record. */
  recordTicks: Map<string, number>;
}

const MAX_EVENTS = 500;

let state: State = {
  rollouts: new Map(),
  pipelines: new Map(),
  runs: new Map(),
  releases: new Map(),
  events: [],
  live: { state: "connecting", since: Date.now() },
  loaded: false,
  recordTicks: new Map(),
};
const listeners = new Set<() => void>();

/** The current state; a new object after every change, so views can compare by identity. */
export function getState(): State {
  return state;
}

/** Calls `listener` after every change; returns the unsubscribe. */
export function onChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

let scheduled = false;
function update(patch: Partial<State>): void {
  state = { ...state, ...patch };
  // Many notices arrive together during a rollout: render once per frame, not once per notice.
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const l of listeners) l();
  });
}

const byName = <T extends { metadata: { name: string } }>(items: T[]) =>
  new Map(items.map((i) => [i.metadata.name, i]));

/** Re-reads every resource the dashboard shows: on start and after each reconnect (status notices are not replayed). */
export async function reload(): Promise<void> {
  const [rollouts, pipelines, runs, releases, events] = await Promise.all([
    call<Rollout[]>("GET", "/api/v1/rollouts"),
    call<Pipeline[]>("GET", "/api/v1/pipelines"),
    call<Run[]>("GET", "/api/v1/analysisruns"),
    call<Release[]>("GET", "/api/v1/releases"),
    call<EventItem[]>("GET", `/api/v1/events?limit=${MAX_EVENTS}`),
  ]);
  update({
    rollouts: byName(rollouts),
    pipelines: byName(pipelines),
    runs: byName(runs),
    releases: byName(releases),
    events: [...events].sort((a, b) => a.id - b.id),
    loaded: true,
  });
}

const MAPS: Record<string, "rollouts" | "pipelines" | "runs" | "releases"> = {
  Release: "releases",
  Rollout: "rollouts",
  Pipeline: "pipelines",
  AnalysisRun: "runs",
};

function applyNotice(type: string, data: string): void {
  const notice = JSON.parse(data) as {
    kind?: string;
    name?: string;
    resource?: { metadata: { name: string } };
    event?: EventItem;
  };
  if (type === "event" && notice.event) {
    if (state.events.some((e) => e.id === notice.event?.id)) return;
    update({ events: [...state.events, notice.event].slice(-MAX_EVENTS) });
    return;
  }
  if (type === "record" && notice.name) {
    const ticks = new Map(state.recordTicks);
    ticks.set(notice.name, (ticks.get(notice.name) ?? 0) + 1);
    update({ recordTicks: ticks });
    return;
  }
  const key = notice.kind ? MAPS[notice.kind] : undefined;
  if (!key || !notice.name) return;
  const map = new Map(state[key] as Map<string, unknown>);
  if (type === "deleted") map.delete(notice.name);
  else if (notice.resource) map.set(notice.name, notice.resource);
  update({ [key]: map } as Partial<State>);
}

let source: EventSource | undefined;
let retry: ReturnType<typeof setTimeout> | undefined;
let backoff = 500;

/**
 * Follows /api/v1/watch. The browser reconnects by itself after a dropped connection; when the
 * stream is refused (the controller answered an error while restarting) this reopens it with
 * backoff. Until the stream is back the page says since when it is stale.
 */
export function connect(): void {
  source?.close();
  clearTimeout(retry);
  const es = new EventSource("/api/v1/watch", { withCredentials: true });
  source = es;
  // The first page shows sooner when the lists are read while the stream connects; the read on
  // open below is the one that guarantees no change between the two is missed.
  if (!state.loaded) reload().catch(() => undefined);
  es.onopen = () => {
    backoff = 500;
    reload().then(
      () => update({ live: { state: "live" } }),
      () => update({ live: { state: "stale", since: Date.now() } }),
    );
  };
  for (const type of ["status", "deleted", "event", "record"])
    es.addEventListener(type, (e) => applyNotice(type, (e as MessageEvent<string>).data));
  es.addEventListener("overflow", () => connect());
  es.onerror = () => {
    const since = state.live.state === "live" ? Date.now() : state.live.since;
    update({ live: { state: "stale", since } });
    if (es.readyState === EventSource.CLOSED) {
      retry = setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10_000);
    }
  };
}

/** Stops following the stream (on sign-out). */
export function disconnect(): void {
  source?.close();
  source = undefined;
  clearTimeout(retry);
}

/** Sets who is signed in (undefined after sign-out). */
export function setMe(me: State["me"]): void {
  update({ me });
}
