/**
 * A document that cannot be translated at all (no strategy, no name...). Translators throw it; the
 * import reports it as an error line and carries on with the other documents.
 */
export class UntranslatableError extends Error {
  override readonly name = "UntranslatableError";
  constructor(
    message: string,
    /** Field path inside the input document, when one field is to blame. */
    readonly path = "",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
