import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { decodeManifest, InputRefusedError, sizeMessage } from "./input-limits.js";
import { MAX_DOCUMENT_BYTES } from "./limits.js";

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Every manifest (*.yaml, *.yml, *.json) under `dir`, recursively, in sorted order. */
export async function manifestFiles(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const files: string[] = [];
  for (const e of entries) {
    // Hidden entries (.git, .sluice state) never hold manifests.
    if (e.name.startsWith(".")) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) files.push(...(await manifestFiles(full)));
    else if (e.isFile() && MANIFEST_FILE.test(e.name)) files.push(full);
  }
  return files;
}

/**
 * All of standard input as text, for the path `-`. Throws {@link InputRefusedError} past the size
 * limit (without reading the rest) or for bytes that are not UTF-8.
 */
export async function readProcessStdin(stream: AsyncIterable<Buffer | string> = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_DOCUMENT_BYTES) throw new InputRefusedError(sizeMessage(size).replace(/^is /, "is over "));
    chunks.push(buf);
  }
  return decodeManifest(Buffer.concat(chunks));
}

/** Why a path could not be read, in words: `cannot read: no such file or directory`. */
export function unreadableReason(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOENT" ? "no such file or directory" : cause instanceof Error ? cause.message : String(cause);
  return `cannot read: ${reason}`;
}
