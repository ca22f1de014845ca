import type { ApiClient } from "../../api/client.js";
import type { AnalysisRun, Rollout } from "../../model/index.js";
import type { ChangeNotice, EventRecord, Resource } from "../../ports/control-plane.js";
import { CliError } from "../cli-error.js";
import { previewUrlOf, renderRolloutView } from "../format/rollout-view.js";
import { age, renderTable } from "../format/table.js";
import { resolveKind } from "../kinds.js";
import { type Format, fitted, type Output, printStructured } from "../output.js";
import { ControllerLostError, watchWithReconnect } from "../resilient-watch.js";

export interface GetOptions {
  output: Format;
  watch?: boolean;
  /** Stops a watch (tests, Ctrl-C). */
  signal?: AbortSignal;
  /** A client for the controller the state directory names now, so --watch survives a restart. */
  reconnect?: () => ApiClient;
  /** `get releases --pipeline P`: only that pipeline's releases. */
  pipeline?: string;
}

/** `sluice get KIND [NAME]`: a table, JSON or YAML; with --watch on a rollout, the live view. */
export async function getCommand(
  api: ApiClient,
  typedKind: string,
  name: string | undefined,
  opts: GetOptions,
  out: Output,
) {
  const { kind, plural } = resolveKind(typedKind);
  if (kind === "Pipeline" || kind === "Release") {
    // Loaded only for these kinds: release views need the model's schemas, which take a while to load.
    const { getPipelineKindCommand } = await import("./pipeline-get.js");
    return getPipelineKindCommand(api, kind, name, opts, out);
  }
  if (opts.watch && kind === "Rollout" && name && (opts.output === "table" || opts.output === "wide"))
    return watchRollout(api, name, opts, out);

  let client = api;
  const print = async () => {
    const data = name ? await client.get<Resource>(`/${plural}/${name}`) : await client.get<Resource[]>(`/${plural}`);
    if (printStructured(out, opts.output, data)) return;
    out.log(renderList(Array.isArray(data) ? data : [data], opts.output === "wide", new Date()));
  };
  await print();
  if (!opts.watch) return;
  await follow(
    api,
    opts,
    out,
    (change) => {
      if (change.type === "event" || change.kind !== kind || (name && change.name !== name)) return;
      void print().catch((err) => out.error(String(err)));
    },
    (c, reconnected) => {
      client = c;
      // What changed while the controller was away is printed once it is back.
      if (reconnected) void print().catch((err) => out.error(String(err)));
    },
  );
}

/** Follows changes across controller restarts; a controller gone for good is an error (exit 1). */
async function follow(
  api: ApiClient,
  opts: GetOptions,
  out: Output,
  onChange: (change: ChangeNotice) => void,
  onOpen: (client: ApiClient, reconnected: boolean) => void,
): Promise<void> {
  const signal = opts.signal ?? new AbortController().signal;
  try {
    await watchWithReconnect(onChange, {
      client: api,
      reconnect: opts.reconnect ?? (() => api),
      signal,
      notice: (line) => out.error(line),
      onOpen,
    });
  } catch (err) {
    if (err instanceof ControllerLostError) throw new CliError(err.message, 1, { cause: err });
    throw err;
  }
}

/** A kubectl-style table of resources of one kind. */
export function renderList(resources: Resource[], wide: boolean, now: Date): string {
  if (resources.length === 0) return "No resources found.";
  const first = resources[0]!;
  if (first.kind === "Rollout") {
    const headers = ["NAME", "STRATEGY", "PHASE", "STEP", "WEIGHT", "REVISION", "AGE"];
    if (wide) headers.push("PREVIEW", "MESSAGE");
    const rows = (resources as Rollout[]).map((r) => {
      const s = r.status;
      const steps = r.spec.strategy.canary?.steps.length ?? 0;
      const canary = s?.revisions.find((x) => x.role === "canary" || x.role === "preview");
      const baseline = s?.revisions.find((x) => x.role === "baseline");
      const stable = s?.revisions.find((x) => x.role === "stable");
      // With a baseline running, the weight is three-way: each revision's share is named.
      const weight = !canary
        ? "-"
        : baseline
          ? `${Math.round(canary.weight)}% (baseline ${Math.round(baseline.weight)}%, stable ${Math.round(stable?.weight ?? 0)}%)`
          : `${Math.round(canary.weight)}%`;
      const row = [
        r.metadata.name,
        r.spec.strategy.canary ? "Canary" : "BlueGreen",
        s?.phase ?? "Progressing",
        steps > 0 ? `${Math.min((s?.currentStepIndex ?? 0) + 1, steps)}/${steps}` : "-",
        weight,
        s?.history.find((h) => h.hash === s.currentRevision)?.number.toString() ?? "-",
        age(r.metadata.creationTimestamp, now),
      ];
      if (wide) row.push(previewUrlOf(r) ?? "-", s?.message ?? "");
      return row;
    });
    return renderTable(headers, rows);
  }
  if (first.kind === "AnalysisRun") {
    return renderTable(
      ["NAME", "ROLLOUT", "PHASE", "METRICS", "AGE", "MESSAGE"],
      (resources as AnalysisRun[]).map((r) => [
        r.metadata.name,
        r.metadata.labels?.["sluice.dev/rollout"] ?? "-",
        r.status?.phase ?? "Pending",
        String(r.spec.metrics.length),
        age(r.metadata.creationTimestamp, now),
        r.status?.message ?? "",
      ]),
    );
  }
  return renderTable(
    ["NAME", "METRICS", "AGE"],
    resources.map((r) => [
      r.metadata.name,
      "metrics" in r.spec ? (r.spec.metrics as { name: string }[]).map((m) => m.name).join(",") : "-",
      age(r.metadata.creationTimestamp, now),
    ]),
  );
}

async function loadView(api: ApiClient, name: string) {
  const rollout = await api.get<Rollout>(`/rollouts/${name}`);
  const runs = await api.get<AnalysisRun[]>(`/analysisruns`);
  const events = await api.get<EventRecord[]>(`/events?kind=Rollout&name=${encodeURIComponent(name)}&limit=20`);
  return { rollout, runs: runs.filter((r) => r.metadata.labels?.["sluice.dev/rollout"] === name), events };
}

async function watchRollout(api: ApiClient, name: string, opts: GetOptions, out: Output) {
  let last = "";
  let client = api;
  let loaded: Awaited<ReturnType<typeof loadView>> | undefined;
  const render = () => {
    if (!loaded) return;
    const view = fitted(out, renderRolloutView({ ...loaded, now: new Date(), color: out.isTTY }));
    if (view === last) return;
    last = view;
    // On a terminal, redraw in place; in a pipe, print each new state as its own block.
    if (out.isTTY) out.log(`\u001b[2J\u001b[H${view}`);
    else out.log(`${view}\n---`);
  };
  const draw = async () => {
    loaded = await loadView(client, name);
    render();
  };
  await draw();
  // On a terminal, countdowns and ages tick every second from what was last read (no request).
  const ticker = out.isTTY ? setInterval(render, 1000) : undefined;
  let pending = Promise.resolve();
  const redraw = () => {
    pending = pending.then(draw).catch((err) => out.error(String(err)));
  };
  try {
    await follow(
      api,
      opts,
      out,
      (change) => {
        const relevant =
          change.type === "event"
            ? change.event.name === name
            : change.name === name || (change.kind === "AnalysisRun" && change.type === "status");
        if (relevant) redraw();
      },
      (c, reconnected) => {
        client = c;
        if (reconnected) redraw();
      },
    );
  } finally {
    clearInterval(ticker);
  }
}
