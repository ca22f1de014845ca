/**
 * The state database cannot be used as is: not a SQLite file, not Sluice's, corrupt, empty where
 * state was kept before, not writable, or written by a newer Sluice. The message is one line naming the file and saying what to do; `cause` holds the
 * SQLite error when there is one.
 */
export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
