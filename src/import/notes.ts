/** One line on stderr: a field that could not be translated, or a document that could not be at all. */
export interface ImportNote {
  /** `info`: a document passed over on purpose; `warning`: a field dropped or changed; `error`: a document refused. */
  severity: "info" | "warning" | "error";
  /** The input it came from: a file path as given, or `<stdin>`. */
  source: string;
  /** Line in the source, for problems found before a document could be read (YAML syntax). */
  line?: number;
  /** `Kind/name` of the input document, when known. */
  ref?: string;
  /** Field path inside the input document, e.g. `spec.strategy.canary.trafficRouting.alb`. */
  path?: string;
  message: string;
}

/** `warning: rollout.yaml: Rollout/web spec.strategy.canary.trafficRouting.alb: no Sluice equivalent; dropped` */
export function formatNote(n: ImportNote): string {
  const where = n.line === undefined ? n.source : `${n.source}:${n.line}`;
  const subject = [n.ref, n.path].filter((s) => s !== undefined && s !== "").join(" ");
  return `${n.severity}: ${where}: ${subject === "" ? "" : `${subject}: `}${n.message}`;
}

/** The usual message for a field Sluice has no place for. */
export const NO_EQUIVALENT = "no Sluice equivalent; dropped";

/**
 * Collects the warnings about one input document. A document used by several others (a
 * MetricTemplate two Canaries refer to) would repeat its warnings, so repeats are dropped.
 */
export class Notes {
  readonly notes: ImportNote[] = [];
  private readonly seen = new Set<string>();

  constructor(
    readonly source: string,
    readonly ref: string | undefined,
    /** Where the document starts; errors name it, as they concern the whole document. */
    readonly line?: number,
    /** `--drop-unsupported`: a check or gate Sluice cannot express is dropped with a warning, not refused. */
    readonly dropUnsupported = false,
  ) {}

  /** A document passed over on purpose (a Service beside a Rollout); not a failure. */
  info(message: string): void {
    this.add({ severity: "info", source: this.source, ...(this.ref ? { ref: this.ref } : {}), path: "", message });
  }

  /**
   * A check or gate of the source that Sluice cannot express. Dropping it would release with less
   * safety than the source, so the document is refused unless the user asked for `--drop-unsupported`.
   */
  unsupported(path: string, what: string): void {
    if (this.dropUnsupported)
      this.warn(path, `${what}; DROPPED (--drop-unsupported): the imported resource is less guarded than its source`);
    else
      this.fail(
        `${what}; not imported, as it would be less guarded than its source (pass --drop-unsupported to import it without this)`,
        path,
      );
  }

  /** Something the source has that Sluice can do better, kept as it was: a hint, not a problem. */
  suggest(path: string, message: string): void {
    const ref = this.ref ? { ref: this.ref } : {};
    this.add({ severity: "info", source: this.source, ...ref, path, message: `suggestion: ${message}` });
  }

  /** A field that was dropped or changed in meaning. `path` is relative to the document. */
  warn(path: string, message: string): void {
    this.add({ severity: "warning", source: this.source, ...(this.ref ? { ref: this.ref } : {}), path, message });
  }

  /** The field has no counterpart in Sluice. */
  dropped(path: string): void {
    this.warn(path, NO_EQUIVALENT);
  }

  /** The whole document could not be translated. */
  fail(message: string, path = ""): void {
    const at = this.line === undefined ? {} : { line: this.line };
    this.add({ severity: "error", source: this.source, ...at, ...(this.ref ? { ref: this.ref } : {}), path, message });
  }

  get hasErrors(): boolean {
    return this.notes.some((n) => n.severity === "error");
  }

  private add(note: ImportNote): void {
    const key = formatNote(note);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.notes.push(note);
  }
}
