import { readFile, stat } from "node:fs/promises";
import type { ApiClient } from "../api/client.js";
import { ApiClientError } from "../api/client.js";
import type { ApiErrorDetail } from "../api/errors.js";
import { ManifestError } from "../model/errors.js";
import { type LoadResult, loadPaths, loadText, STDIN_SOURCE } from "../model/load.js";
import { manifestFiles, readProcessStdin } from "../model/manifest-files.js";
import type { Resource } from "../ports/control-plane.js";

/** Where a loaded resource came from: its file, and how to find a field's line in it. */
export interface Origin {
  file: string;
  line: (path: string) => number | undefined;
}

/** What `apply` loaded, with the origin of each resource. */
export interface LoadedManifests extends LoadResult {
  originOf: (resource: Resource) => Origin | undefined;
  /** The files the resources came from, in order, each once. */
  files: string[];
}

const keyOf = (r: Resource) => `${r.kind}/${r.metadata.namespace ?? ""}/${r.metadata.name}`;

/**
 * Loads manifests as `loadPaths` does (same errors, same duplicate rule) and also records which
 * file and line each resource came from, so errors the controller finds later can name them.
 */
export async function loadWithOrigins(
  paths: string[],
  readStdin: () => Promise<string> = readProcessStdin,
): Promise<LoadedManifests> {
  let stdin: Promise<string> | undefined;
  const stdinOnce = () => {
    stdin ??= readStdin();
    return stdin;
  };
  const result = await loadPaths(paths, { readStdin: stdinOnce });
  const origins = new Map<string, Origin>();
  for (const p of paths) {
    for (const { file, text } of await inputsOf(p, stdinOnce)) {
      loadText(text, file, {
        extraChecks: (resource, locate) => {
          // The first file that holds a resource is the one kept, as in loadPaths.
          if (!origins.has(keyOf(resource))) origins.set(keyOf(resource), { file, line: locate });
          return [];
        },
      });
    }
  }
  const files = [...new Set(result.resources.map((r) => origins.get(keyOf(r))?.file).filter((f) => f !== undefined))];
  return { ...result, originOf: (r) => origins.get(keyOf(r)), files };
}

async function inputsOf(p: string, stdin: () => Promise<string>): Promise<{ file: string; text: string }[]> {
  if (p === "-") return [{ file: STDIN_SOURCE, text: await stdin() }];
  try {
    const files = (await stat(p)).isDirectory() ? await manifestFiles(p) : [p];
    return await Promise.all(files.map(async (file) => ({ file, text: await readFile(file, "utf8") })));
  } catch {
    // loadPaths has reported it already.
    return [];
  }
}

/** Past this many resources, errors are not traced back to their resource one by one. */
const MAX_TRACED = 50;

/**
 * The controller's validation errors for an apply, each with the file (and line) of the resource
 * it is about. The controller sees one request, so each resource is checked again on its own, as
 * a dry run, to learn which one an error belongs to; errors that cannot be traced keep `fallback`.
 */
export async function traceErrors(
  api: ApiClient,
  loaded: Pick<LoadedManifests, "resources" | "originOf">,
  details: ApiErrorDetail[],
  fallback: string,
): Promise<string[]> {
  const perResource: { origin: Origin | undefined; errors: ApiErrorDetail[] }[] = [];
  if (loaded.resources.length <= MAX_TRACED)
    for (const resource of loaded.resources) {
      const origin = loaded.originOf(resource);
      perResource.push({ origin, errors: await dryRunErrors(api, resource, origin?.file ?? fallback) });
    }
  return details.map((d) => {
    for (const { origin, errors } of perResource) {
      const at = errors.findIndex((e) => e.path === d.path && e.message === d.message);
      if (at < 0 || !origin) continue;
      errors.splice(at, 1);
      return new ManifestError({
        file: origin.file,
        line: origin.line(d.path),
        path: d.path,
        message: d.message,
      }).toString();
    }
    return new ManifestError({
      file: fallback,
      ...(d.line ? { line: d.line } : {}),
      path: d.path,
      message: d.message,
    }).toString();
  });
}

async function dryRunErrors(api: ApiClient, resource: Resource, source: string): Promise<ApiErrorDetail[]> {
  try {
    await api.post(`/apply?source=${encodeURIComponent(source)}`, { resources: [resource], dryRun: true });
    return [];
  } catch (err) {
    if (err instanceof ApiClientError && err.code === "Invalid") return [...(err.extra.details ?? [])];
    return [];
  }
}
