import { describe, expect, it } from "vitest";
import { StoreError } from "./errors.js";

describe("StoreError", () => {
  it("names the file and keeps the cause", () => {
    const cause = new Error("SQLITE_NOTADB");
    const err = new StoreError("x.db is not a SQLite database", "x.db", { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("StoreError");
    expect(err.file).toBe("x.db");
    expect(err.cause).toBe(cause);
  });
});
