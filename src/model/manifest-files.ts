import { readdir } from "node:fs/promises";
import { join } from "node:path";

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

/** All of standard input as text, for the path `-`. */
export async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** Why a path could not be read, in words: `cannot read: no such file or directory`. */
export function unreadableReason(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOENT" ? "no such file or directory" : cause instanceof Error ? cause.message : String(cause);
  return `cannot read: ${reason}`;
}
