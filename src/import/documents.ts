import { readFile, stat } from "node:fs/promises";
import { type Document, isCollection, isScalar, isSeq, LineCounter, visit } from "yaml";
import { InputRefusedError } from "../model/input-limits.js";
import { parseYamlDocuments } from "../model/load.js";
import { manifestFiles, readProcessStdin, unreadableReason } from "../model/manifest-files.js";
import { isObj, type Obj } from "./fields.js";
import type { ImportNote } from "./notes.js";

/** One manifest read from the input: a mapping with its file and the line it starts at. */
export interface InputDocument {
  source: string;
  line?: number;
  value: Obj;
}

/** What reading the input gave: documents, and problems with the input itself (syntax, unreadable files). */
export interface ParsedInput {
  documents: InputDocument[];
  problems: ImportNote[];
}

/** The name standard input gets in messages. */
export const STDIN = "<stdin>";

const problem = (source: string, message: string, line?: number): ImportNote => ({
  severity: "error",
  source,
  ...(line === undefined ? {} : { line }),
  message,
});

/** A `kind: List` (as `kubectl get -o yaml` prints) or a top-level list stands for its items. */
function items(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isObj(value) && value.kind === "List" && Array.isArray(value.items)) return value.items;
  return [value];
}

/**
 * Where a mapping key is itself a mapping or list: what an unrendered Helm or Go template
 * (`name: {{ .Values.name }}`) parses as. Converting it to an object would stringify the key with a
 * Node warning that names no file, so the document is reported instead.
 */
function templatedAt(doc: Document.Parsed): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        at = pair.key.range?.[0] ?? 0;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return at;
}

/** Reads every document from multi-document YAML or JSON text. */
export function parseManifests(text: string, source: string): ParsedInput {
  const lineCounter = new LineCounter();
  const out: ParsedInput = { documents: [], problems: [] };
  let docs: Document.Parsed[];
  try {
    docs = parseYamlDocuments(text, lineCounter);
  } catch (err) {
    if (!(err instanceof InputRefusedError)) throw err;
    out.problems.push(problem(source, err.message, err.line));
    return out;
  }
  for (const doc of docs) {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = start === undefined ? undefined : lineCounter.linePos(start).line;
    const syntax = doc.errors[0];
    if (syntax !== undefined) {
      out.problems.push(problem(source, `YAML syntax: ${syntax.message}`, lineCounter.linePos(syntax.pos[0]).line));
      continue;
    }
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue;
    const templated = templatedAt(doc);
    if (templated !== undefined) {
      const message =
        "looks like an unrendered template ({{ … }}); render it first (helm template, kustomize build) and import the output";
      out.problems.push(problem(source, message, lineCounter.linePos(templated).line));
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (cause) {
      out.problems.push(problem(source, `YAML syntax: ${cause instanceof Error ? cause.message : cause}`, line));
      continue;
    }
    const list = items(value);
    list.forEach((item, i) => {
      const at = isSeq(doc.contents) ? lineCounter.linePos(doc.contents.items[i]?.range?.[0] ?? 0).line : line;
      if (isObj(item)) out.documents.push({ source, ...(at === undefined ? {} : { line: at }), value: item });
      else out.problems.push(problem(source, "not a resource (expected a mapping with apiVersion and kind)", at));
    });
  }
  return out;
}

function unreadable(source: string, cause: unknown): ImportNote {
  return problem(source, unreadableReason(cause));
}

/** Options for {@link readManifests}. */
export interface ReadOptions {
  /** Reads all of standard input, for the path `-`. Tests inject their own. */
  readStdin?: () => Promise<string>;
}

/** Reads files, directories (recursively: *.yaml, *.yml, *.json in name order, hidden entries skipped) and `-`. */
export async function readManifests(paths: readonly string[], opts: ReadOptions = {}): Promise<ParsedInput> {
  const out: ParsedInput = { documents: [], problems: [] };
  const take = (r: ParsedInput) => {
    out.documents.push(...r.documents);
    out.problems.push(...r.problems);
  };
  for (const p of paths) {
    if (p === "-") {
      take(parseManifests(await (opts.readStdin ?? readProcessStdin)(), STDIN));
      continue;
    }
    let files: string[];
    try {
      files = (await stat(p)).isDirectory() ? await manifestFiles(p) : [p];
    } catch (cause) {
      out.problems.push(unreadable(p, cause));
      continue;
    }
    for (const f of files) {
      try {
        take(parseManifests(await readFile(f, "utf8"), f));
      } catch (cause) {
        out.problems.push(unreadable(f, cause));
      }
    }
  }
  return out;
}
