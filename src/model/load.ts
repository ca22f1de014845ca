import { readFile, stat } from "node:fs/promises";
import { Composer, type Document, isScalar, isSeq, LineCounter, Parser } from "yaml";
import {
  formatPath,
  ManifestError,
  type ManifestErrorInit,
  type PathSegment,
  parsePath,
  ValidationError,
} from "./errors.js";
import { checkSize, decodeManifest, InputRefusedError, TOO_DEEP, tagProblems, tooDeepOffset } from "./input-limits.js";
import { MAX_ALIAS_COUNT } from "./limits.js";
import { manifestFiles, readProcessStdin, unreadableReason } from "./manifest-files.js";
import type { Resource } from "./resource.js";
import { validateResource } from "./validate.js";
import { lineOf } from "./yaml-locate.js";

/** What loading manifests produced. A resource with any error is left out of `resources`. */
export interface LoadResult {
  resources: Resource[];
  errors: ManifestError[];
}

/** A problem found by an {@link ExtraCheck}. Without `line`, the loader finds the line from `path`. */
export interface CheckIssue {
  /** Field path relative to the resource, as {@link formatPath} writes it, e.g. `spec.metrics[0].successCondition`. */
  path: string;
  message: string;
  line?: number;
}

/**
 * A check the model does not know about, run on each resource that passed its schema (the analysis
 * code uses it for CEL conditions). `locate` turns a field path into its line in the input, when known.
 */
export type ExtraCheck = (resource: Resource, locate: (path: string) => number | undefined) => CheckIssue[];

export interface LoadOptions {
  extraChecks?: ExtraCheck;
}

export interface LoadPathsOptions extends LoadOptions {
  /** Reads all of standard input, for the path `-`. Tests inject their own. */
  readStdin?: () => Promise<string>;
}

/** The file name errors use for standard input. */
export const STDIN_SOURCE = "<stdin>";

/** Where a document sits: everything in a {@link ManifestError} but the field and message. */
type Where = Required<Omit<ManifestErrorInit, "path" | "message" | "line">>;

/** A resource that passed validation, with where it came from (for duplicate reports). */
interface Loaded {
  resource: Resource;
  where: Where;
  nameLine: number | undefined;
}

type Locate = (path: readonly PathSegment[]) => number | undefined;

function validateOne(
  value: unknown,
  where: Where,
  prefix: PathSegment[],
  locate: Locate,
  opts: LoadOptions,
): { loaded?: Loaded; errors: ManifestError[] } {
  const at = (path: readonly PathSegment[], message: string, line = locate(path)) =>
    new ManifestError({ ...where, line, path: formatPath([...prefix, ...path]), message });
  const v = validateResource(value);
  if (v.resource === undefined) return { errors: v.issues.map((i) => at(i.path, i.message)) };
  const extra = opts.extraChecks?.(v.resource, (p) => locate(parsePath(p))) ?? [];
  if (extra.length > 0) {
    return { errors: extra.map((i) => at(parsePath(i.path), i.message, i.line ?? locate(parsePath(i.path)))) };
  }
  return { loaded: { resource: v.resource, where, nameLine: locate(["metadata", "name"]) }, errors: [] };
}

function isEmptyDocument(doc: Document): boolean {
  if (doc.errors.length > 0) return false;
  return doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null);
}

function byLine(a: ManifestError, b: ManifestError): number {
  return (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER);
}

function tokensOf(text: string, lineCounter: LineCounter) {
  return [...new Parser(lineCounter.addNewLine).parse(text)];
}

/**
 * Parses multi-document YAML (or JSON) text, refusing first what would exhaust the parser: text
 * over the size limit, and nesting past the depth limit (the YAML composer recurses per level, so
 * a few thousand `[` would overflow the stack). Throws {@link InputRefusedError} for those; YAML
 * syntax errors stay in each document's `errors`.
 */
export function parseYamlDocuments(text: string, lineCounter: LineCounter): Document.Parsed[] {
  checkSize(Buffer.byteLength(text));
  let tokens: ReturnType<typeof tokensOf>;
  try {
    tokens = tokensOf(text, lineCounter);
  } catch (err) {
    // The tokenizer is iterative, but its parser closes a few thousand nested block sequences
    // (`- - - - ...`) recursively. A stack overflow in plain JavaScript is recoverable: report it
    // as what it is, on the line the parser had reached.
    if (err instanceof RangeError && /call stack/i.test(err.message))
      throw new InputRefusedError(TOO_DEEP, lineCounter.lineStarts.length);
    throw err;
  }
  const deep = tooDeepOffset(tokens);
  if (deep !== undefined) throw new InputRefusedError(TOO_DEEP, lineCounter.linePos(deep).line);
  return [...new Composer({ prettyErrors: false }).compose(tokens)];
}

function loadDocuments(text: string, source: string, opts: LoadOptions): { loaded: Loaded[]; errors: ManifestError[] } {
  const lineCounter = new LineCounter();
  let parsed: Document.Parsed[];
  try {
    parsed = parseYamlDocuments(text, lineCounter);
  } catch (err) {
    if (!(err instanceof InputRefusedError)) throw err;
    return { loaded: [], errors: [new ManifestError({ file: source, line: err.line, message: err.message })] };
  }
  const docs = parsed.filter((d) => !isEmptyDocument(d));
  const loaded: Loaded[] = [];
  const errors: ManifestError[] = [];
  docs.forEach((doc, i) => {
    const where: Where = { file: source, docIndex: i + 1, documents: docs.length };
    const docLine = doc.range[0] === undefined ? undefined : lineCounter.linePos(doc.range[0]).line;
    const syntax = doc.errors[0];
    if (syntax !== undefined) {
      // Later errors in the same document are usually knock-on effects of the first.
      const line = lineCounter.linePos(syntax.pos[0]).line;
      errors.push(new ManifestError({ ...where, line, message: `YAML syntax: ${syntax.message}` }));
      return;
    }
    const tags = tagProblems(doc, lineCounter);
    if (tags.length > 0) {
      for (const t of tags)
        errors.push(
          new ManifestError({
            ...where,
            line: t.line,
            path: formatPath(t.path),
            message: `YAML tag ${t.tag} is not allowed; write plain values`,
          }),
        );
      return;
    }
    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      errors.push(new ManifestError({ ...where, line: docLine, message: `YAML syntax: ${message}` }));
      return;
    }
    // A top-level list (as JSON files often hold) is a list of resources.
    const items: [unknown, PathSegment[]][] =
      isSeq(doc.contents) && Array.isArray(raw) ? raw.map((r, j) => [r, [j]]) : [[raw, []]];
    const docErrors: ManifestError[] = [];
    for (const [value, prefix] of items) {
      const locate: Locate = (path) => lineOf(doc, doc.contents, [...prefix, ...path], lineCounter);
      const result = validateOne(value, where, prefix, locate, opts);
      if (result.loaded) loaded.push(result.loaded);
      docErrors.push(...result.errors);
    }
    errors.push(...docErrors.sort(byLine));
  });
  return { loaded, errors };
}

/** Keeps the first of several resources with the same kind, namespace and name; the others are errors. */
function withoutDuplicates(loaded: Loaded[]): LoadResult {
  const first = new Map<string, Loaded>();
  const resources: Resource[] = [];
  const errors: ManifestError[] = [];
  for (const l of loaded) {
    const { kind, metadata } = l.resource;
    const key = `${kind}/${metadata.namespace ?? ""}/${metadata.name}`;
    const prev = first.get(key);
    if (prev === undefined) {
      first.set(key, l);
      resources.push(l.resource);
      continue;
    }
    const prevAt = new ManifestError({ ...prev.where, line: prev.nameLine, message: "" }).location();
    errors.push(
      new ManifestError({
        ...l.where,
        line: l.nameLine,
        path: "metadata.name",
        message: `duplicate ${kind} "${metadata.name}", already defined at ${prevAt}`,
      }),
    );
  }
  return { resources, errors };
}

/**
 * Loads every resource from multi-document YAML or JSON text. `source` names the input in errors
 * (a file name, or `<stdin>`). Each error carries its line and field path.
 */
export function loadText(text: string, source: string, opts: LoadOptions = {}): LoadResult {
  const { loaded, errors } = loadDocuments(text, source, opts);
  const deduped = withoutDuplicates(loaded);
  return { resources: deduped.resources, errors: [...errors, ...deduped.errors] };
}

function unreadable(file: string, cause: unknown): ManifestError {
  if (cause instanceof InputRefusedError) return new ManifestError({ file, line: cause.line, message: cause.message });
  return new ManifestError({ file, message: unreadableReason(cause) });
}

/**
 * Loads resources from files, directories (recursively: *.yaml, *.yml and *.json, in sorted order)
 * and `-` for standard input. Duplicates are reported across all inputs.
 */
export async function loadPaths(paths: string[], opts: LoadPathsOptions = {}): Promise<LoadResult> {
  const loaded: Loaded[] = [];
  const errors: ManifestError[] = [];
  const take = (text: string, source: string) => {
    const r = loadDocuments(text, source, opts);
    loaded.push(...r.loaded);
    errors.push(...r.errors);
  };
  for (const p of paths) {
    if (p === "-") {
      try {
        take(await (opts.readStdin ?? readProcessStdin)(), STDIN_SOURCE);
      } catch (cause) {
        errors.push(unreadable(STDIN_SOURCE, cause));
      }
      continue;
    }
    let files: string[];
    try {
      files = (await stat(p)).isDirectory() ? await manifestFiles(p) : [p];
    } catch (cause) {
      errors.push(unreadable(p, cause));
      continue;
    }
    for (const f of files) {
      try {
        checkSize((await stat(f)).size);
        take(decodeManifest(await readFile(f)), f);
      } catch (cause) {
        errors.push(unreadable(f, cause));
      }
    }
  }
  const deduped = withoutDuplicates(loaded);
  return { resources: deduped.resources, errors: [...errors, ...deduped.errors] };
}

/**
 * Validates one already-decoded object (e.g. from a JSON API request) and returns it parsed, with
 * defaults applied. Throws {@link ValidationError}; its errors have no line numbers.
 */
export function parseResource(obj: unknown, source = "<input>", opts: LoadOptions = {}): Resource {
  const where: Where = { file: source, docIndex: 1, documents: 1 };
  const result = validateOne(obj, where, [], () => undefined, opts);
  if (result.loaded === undefined) throw new ValidationError(result.errors);
  return result.loaded.resource;
}
