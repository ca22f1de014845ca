import type { ApiClient } from "../../api/client.js";
import type { Pipeline, Release } from "../../model/index.js";
import type { ChangeNotice, RecordedEntry } from "../../ports/control-plane.js";
import { CliError } from "../cli-error.js";
import { renderPipelines, renderPipelineView } from "../format/pipeline-view.js";
import { renderRecord } from "../format/record-view.js";
import { describeRelease, renderReleases } from "../format/release-view.js";
import { type Format, type Output, printStructured } from "../output.js";
import { ControllerLostError, watchWithReconnect } from "../resilient-watch.js";

export interface PipelineGetOptions {
  output: Format;
  watch?: boolean;
  /** `get releases --pipeline P`: only that pipeline's releases. */
  pipeline?: string;
  signal?: AbortSignal;
  /** A client for the controller the state directory names now, so --watch survives a restart. */
  reconnect?: () => ApiClient;
  /** How often a terminal's view is redrawn so countdowns tick (default 1 s). */
  tickMs?: number;
}

/**
 * `sluice get pipelines|pipeline NAME|releases`: tables, JSON or YAML. `get pipeline NAME --watch`
 * redraws the stages on every change of the pipeline (and, on a terminal, every second, so the
 * countdowns tick), reconnecting to a restarted controller as the rollout view does.
 */
export async function getPipelineKindCommand(
  api: ApiClient,
  kind: "Pipeline" | "Release",
  name: string | undefined,
  opts: PipelineGetOptions,
  out: Output,
): Promise<void> {
  let client = api;
  let last = "";
  const render = async () => {
    const text =
      kind === "Pipeline" ? await showPipelines(client, name, out.isTTY) : await showReleases(client, name, opts);
    if (text === undefined || text === last) return;
    last = text;
    if (!opts.watch || !name) out.log(text);
    // On a terminal, redraw in place; in a pipe, print each new state as its own block.
    else if (out.isTTY) out.log(`\u001b[2J\u001b[H${text}`);
    else out.log(`${text}\n---`);
  };
  if (opts.output !== "table" && opts.output !== "wide") {
    const data = await read(client, kind, name);
    printStructured(out, opts.output, kind === "Release" && !name ? filterReleases(data as Release[], opts) : data);
    if (!opts.watch) return;
  } else await render();
  if (!opts.watch) return;

  let pending = Promise.resolve();
  const redraw = () => {
    pending = pending
      .then(async () => {
        if (opts.output === "table" || opts.output === "wide") return render();
        printStructured(out, opts.output, await read(client, kind, name));
      })
      .catch((err) => out.error(String(err)));
  };
  const signal = opts.signal ?? new AbortController().signal;
  const tick = out.isTTY && name && kind === "Pipeline" ? setInterval(redraw, opts.tickMs ?? 1000) : undefined;
  try {
    const onChange = (change: ChangeNotice) => {
      if (relevant(change, kind, name)) redraw();
    };
    await watchWithReconnect(onChange, {
      client: api,
      reconnect: opts.reconnect ?? (() => api),
      signal,
      notice: (line) => out.error(line),
      onOpen: (c, reconnected) => {
        client = c;
        // What changed while the controller was away is shown once it is back.
        if (reconnected) redraw();
      },
    });
  } catch (err) {
    if (err instanceof ControllerLostError) throw new CliError(err.message, 1, { cause: err });
    throw err;
  } finally {
    if (tick) clearInterval(tick);
  }
}

function relevant(change: ChangeNotice, kind: "Pipeline" | "Release", name: string | undefined): boolean {
  const changeKind = change.type === "event" ? change.event.kind : change.kind;
  const changeName = change.type === "event" ? change.event.name : change.name;
  if (kind === "Release") return changeKind === "Release" && (!name || changeName === name);
  return changeKind === "Pipeline" && (!name || changeName === name);
}

async function read(api: ApiClient, kind: "Pipeline" | "Release", name: string | undefined): Promise<unknown> {
  const plural = kind === "Pipeline" ? "pipelines" : "releases";
  return name ? api.get(`/${plural}/${encodeURIComponent(name)}`) : api.get(`/${plural}`);
}

function filterReleases(releases: Release[], opts: PipelineGetOptions): Release[] {
  return opts.pipeline ? releases.filter((r) => r.spec.pipeline === opts.pipeline) : releases;
}

async function showPipelines(api: ApiClient, name: string | undefined, color: boolean) {
  const now = new Date();
  if (!name) return renderPipelines(await api.get<Pipeline[]>("/pipelines"), now);
  const pipeline = await api.get<Pipeline>(`/pipelines/${encodeURIComponent(name)}`);
  return renderPipelineView(pipeline, now, color);
}

async function showReleases(api: ApiClient, name: string | undefined, opts: PipelineGetOptions) {
  const releases = name
    ? [await api.get<Release>(`/releases/${encodeURIComponent(name)}`)]
    : filterReleases(await api.get<Release[]>("/releases"), opts);
  if (releases.length === 0 && opts.pipeline) return `No releases of pipeline ${opts.pipeline}.`;
  return renderReleases(releases, await api.get<Pipeline[]>("/pipelines"), new Date());
}

/** `sluice describe release NAME`: the release and every record entry about it. */
export async function describeReleaseCommand(api: ApiClient, name: string, out: Output): Promise<void> {
  const release = await api.get<Release>(`/releases/${encodeURIComponent(name)}`);
  const pipelineName = encodeURIComponent(release.spec.pipeline);
  // A release may name a pipeline that was deleted or not applied yet: it is still described.
  const pipeline = await api.get<Pipeline>(`/pipelines/${pipelineName}`).catch(() => undefined);
  const record = pipeline
    ? await api.get<RecordedEntry[]>(`/pipelines/${pipelineName}/record?release=${encodeURIComponent(name)}`)
    : [];
  out.log(describeRelease(release, record, pipeline));
}

/** `sluice describe pipeline NAME`: the stages view, then the whole record. */
export async function describePipelineCommand(api: ApiClient, name: string, out: Output): Promise<void> {
  const pipeline = await api.get<Pipeline>(`/pipelines/${encodeURIComponent(name)}`);
  const record = await api.get<RecordedEntry[]>(`/pipelines/${encodeURIComponent(name)}/record`);
  out.log(`${renderPipelineView(pipeline, new Date(), out.isTTY)}\n\nRecord:\n${indent(renderRecord(record))}`);
}

const indent = (text: string) =>
  text
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n");
