// Writes the CRDs generated from src/model into deploy/crds/ and the Helm chart's crds/ folder.
//   npx tsx scripts/generate-crds.ts           # write the files
//   npx tsx scripts/generate-crds.ts --check   # exit 1 if the committed files differ
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { crdFiles } from "../src/platform/kubernetes/crds.js";

/** Folders that hold a copy of every generated CRD, relative to the repository root. */
export const CRD_DIRS = ["deploy/crds", "deploy/helm/sluice/crds"];

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Paths (relative to the root) whose content differs from the generated CRDs, or that should not be there. */
export async function staleCrdFiles(repoRoot = root): Promise<string[]> {
  const stale: string[] = [];
  const files = crdFiles();
  for (const dir of CRD_DIRS) {
    const present = await readdir(join(repoRoot, dir)).catch(() => [] as string[]);
    for (const { file, content } of files) {
      const current = await readFile(join(repoRoot, dir, file), "utf8").catch(() => undefined);
      if (current !== content) stale.push(join(dir, file));
    }
    for (const name of present) if (!files.some((f) => f.file === name)) stale.push(join(dir, name));
  }
  return stale;
}

async function write(): Promise<void> {
  for (const dir of CRD_DIRS) {
    const abs = join(root, dir);
    await mkdir(abs, { recursive: true });
    const files = crdFiles();
    for (const name of await readdir(abs))
      if (name.endsWith(".yaml") && !files.some((f) => f.file === name)) await rm(join(abs, name));
    for (const { file, content } of files) await writeFile(join(abs, file), content);
    console.log(`${dir}: ${files.map((f) => f.file).join(", ")}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    const stale = await staleCrdFiles();
    if (stale.length > 0) {
      console.error(`out of date (run npx tsx scripts/generate-crds.ts): ${stale.join(", ")}`);
      process.exit(1);
    }
  } else await write();
}
