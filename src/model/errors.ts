/** One segment of a field path: an object key or an array index. */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * Renders a field path the way users read it: `spec.strategy.canary.steps[2].setWeight`. Keys that are
 * not plain identifiers (label keys such as `app.kubernetes.io/name`) are quoted: `labels["app.kubernetes.io/name"]`.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && PLAIN_KEY.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** The inverse of {@link formatPath}, so checks written against path strings can be located in YAML. */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|(\.)/gy;
  let m: RegExpExecArray | null = re.exec(path);
  while (m !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
    if (re.lastIndex >= path.length) break;
    m = re.exec(path);
  }
  return out;
}

/** What a {@link ManifestError} is made from; only `file` and `message` are required. */
export interface ManifestErrorInit {
  /** The file as the user named it, or `<stdin>`, or the source given to `loadText`. */
  file: string;
  /** 1-based position of the document in its file (YAML `---` separated). Default 1. */
  docIndex?: number;
  /** How many non-empty documents the file has; the one-line form names the document only when there are several. Default 1. */
  documents?: number;
  /** 1-based line, when the input came from text. */
  line?: number | undefined;
  /** Field path such as `spec.strategy.canary.steps[2].setWeight`; empty or absent for the whole document. */
  path?: string;
  message: string;
}

/**
 * A problem with one field of one manifest. `toString()` gives the one-line form:
 * `rollout.yaml:14 spec.strategy.canary.steps[2].setWeight: must be between 0 and 100`, or
 * `all.yaml[doc 2]:14 ...` when the file holds several documents. Problems with no field path
 * (YAML syntax, unreadable file) print the message right after the location.
 */
export class ManifestError {
  readonly file: string;
  readonly docIndex: number;
  readonly documents: number;
  readonly line: number | undefined;
  readonly path: string;
  readonly message: string;
  constructor(init: ManifestErrorInit) {
    this.file = init.file;
    this.docIndex = init.docIndex ?? 1;
    this.documents = init.documents ?? 1;
    this.line = init.line;
    this.path = init.path ?? "";
    this.message = init.message;
  }

  /** `file`, `file:line` or `file[doc N]:line`: the part of the one-line form before the field path. */
  location(): string {
    const doc = this.documents > 1 ? `[doc ${this.docIndex}]` : "";
    const line = this.line === undefined ? "" : `:${this.line}`;
    return `${this.file}${doc}${line}`;
  }

  toString(): string {
    const field = this.path === "" ? "" : `${this.path}: `;
    return `${this.location()} ${field}${this.message}`;
  }

  toJSON(): { file: string; docIndex: number; line?: number; path: string; message: string } {
    const { file, docIndex, line, path, message } = this;
    return line === undefined ? { file, docIndex, path, message } : { file, docIndex, line, path, message };
  }
}

/**
 * Manifests that failed validation. Nothing from the input was applied. The message is the
 * one-line form of every error, one per line, so it can be shown to users as is.
 */
export class ValidationError extends Error {
  override readonly name = "ValidationError";
  constructor(
    readonly errors: ManifestError[],
    options?: { cause?: unknown },
  ) {
    super(errors.map(String).join("\n"), options);
  }
}
