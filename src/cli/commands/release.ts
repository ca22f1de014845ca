import { readFileSync } from "node:fs";
import { type ApiClient, ApiClientError } from "../../api/client.js";
import { type Release, releaseCreatedBy } from "../../model/index.js";
import { CliError } from "../cli-error.js";
import { releaseChanges } from "../format/release-view.js";
import type { Output } from "../output.js";

/** The flags of `sluice release create`, as commander hands them over. */
export interface ReleaseCreateFlags {
  image?: string;
  container?: string;
  command?: string;
  args?: string[];
  setEnv?: string[];
  /** A JSON file holding the release's feature flags (an object). */
  features?: string;
  featuresEnv?: string;
  commit?: string;
  buildUrl?: string;
}

/** `K=V` into a release env variable; the value may hold `=` itself. */
export function parseEnvFlag(text: string): { name: string; value: string } {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new CliError(`--set-env "${text}": use NAME=VALUE, like --set-env VERSION=2.0`);
  return { name: text.slice(0, eq), value: text.slice(eq + 1) };
}

/**
 * The Release `sluice release create` sends, built from its flags. Pure but for reading the
 * features file through `readFile`. The server validates the rest and sets who created it and when.
 */
export function buildRelease(
  pipeline: string,
  name: string,
  flags: ReleaseCreateFlags,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): Omit<Release, "apiVersion" | "kind"> {
  const env = (flags.setEnv ?? []).map(parseEnvFlag);
  const features = flags.features === undefined ? undefined : readFeatures(flags.features, readFile);
  const source = {
    ...(flags.commit ? { commit: flags.commit } : {}),
    ...(flags.buildUrl ? { buildUrl: flags.buildUrl } : {}),
  };
  const spec = {
    pipeline,
    ...(flags.image ? { image: flags.image } : {}),
    ...(flags.container ? { container: flags.container } : {}),
    ...(flags.command ? { command: flags.command } : {}),
    ...(flags.args ? { args: flags.args } : {}),
    env,
    ...(features !== undefined ? { features } : {}),
    ...(flags.featuresEnv ? { featuresEnv: flags.featuresEnv } : {}),
    ...(Object.keys(source).length > 0 ? { source } : {}),
  };
  const changes = [flags.image, flags.command, flags.args, features].some((v) => v !== undefined) || env.length > 0;
  if (!changes)
    throw new CliError(
      `release ${name} changes nothing: give --image, --command, --args, --set-env NAME=VALUE or --features FILE`,
    );
  return { metadata: { name }, spec: spec as Release["spec"] };
}

function readFeatures(file: string, readFile: (path: string) => string): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(file);
  } catch (err) {
    throw new CliError(`--features ${file}: cannot read it (${(err as Error).message})`, 1, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError(`--features ${file}: not JSON (${(err as Error).message})`, 1, { cause: err });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new CliError(`--features ${file}: must hold a JSON object of flags, like {"new-api": true}`);
  return value as Record<string, unknown>;
}

/**
 * `sluice release create PIPELINE NAME …`: stores the release (immutable from then on) and prints
 * who created it and when, as the server recorded them. Creating the same release again changes
 * nothing; a different spec under an existing name is refused.
 */
export async function releaseCreateCommand(
  api: ApiClient,
  pipeline: string,
  name: string,
  flags: ReleaseCreateFlags,
  out: Output,
): Promise<Release> {
  const body = buildRelease(pipeline, name, flags);
  const existed = await api.get<Release>(`/releases/${encodeURIComponent(name)}`).then(
    () => true,
    (err) => {
      if (err instanceof ApiClientError && err.code === "NotFound") return false;
      throw err;
    },
  );
  const stored = await api.post<Release>("/releases", body);
  const by = `by ${releaseCreatedBy(stored) ?? "?"} at ${stored.metadata.creationTimestamp ?? "?"}`;
  out.log(
    existed
      ? `release "${name}" unchanged (created ${by}; releases never change)`
      : `release "${name}" created for pipeline ${stored.spec.pipeline} ${by}: ${releaseChanges(stored.spec)}`,
  );
  return stored;
}
