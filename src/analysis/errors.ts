/**
 * An analysis run that cannot be built from its templates: a missing or cyclic template, a
 * duplicate metric, an argument without a value. The message is one line naming the template and
 * the field; `cause` carries the underlying error, if any.
 */
export class AnalysisConfigError extends Error {
  readonly template: string | undefined;
  readonly field: string | undefined;
  constructor(message: string, opts: { template?: string; field?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "AnalysisConfigError";
    this.template = opts.template;
    this.field = opts.field;
  }
}
