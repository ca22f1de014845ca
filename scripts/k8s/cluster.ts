// Starts or stops a test control plane by hand:
//   npx tsx scripts/k8s/cluster.ts up   [--dir DIR]   # prints `export KUBECONFIG=...`
//   npx tsx scripts/k8s/cluster.ts down [--dir DIR]
// The control plane outlives this command; `down` stops it using DIR/state.json.
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startControlPlane } from "../../test/helpers/kube.js";
import { groupAlive, stopRecordedGroups } from "./processes.js";

interface State {
  server: string;
  kubeconfigPath: string;
  pids: number[];
}

async function readState(dir: string): Promise<State | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, "state.json"), "utf8")) as State;
  } catch {
    return undefined;
  }
}

async function up(dir: string): Promise<void> {
  const previous = await readState(dir);
  if (previous?.pids.some(groupAlive)) {
    console.log(`already running at ${previous.server}\nexport KUBECONFIG=${previous.kubeconfigPath}`);
    return;
  }
  const cp = await startControlPlane({ dir, tieToParent: false });
  const state: State = { server: cp.server, kubeconfigPath: cp.kubeconfigPath, pids: cp.pids };
  await writeFile(join(dir, "state.json"), `${JSON.stringify(state, null, 2)}\n`);
  console.error(`control plane ready at ${cp.server} in ${(cp.startedInMs / 1000).toFixed(1)} s (logs in ${dir})`);
  console.log(`export KUBECONFIG=${cp.kubeconfigPath}`);
}

async function down(dir: string): Promise<void> {
  const state = await readState(dir);
  if (!state) {
    console.error(`no control plane recorded in ${dir}`);
    return;
  }
  await stopRecordedGroups(state.pids);
  console.error(`stopped control plane at ${state.server}`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const dirFlag = rest.indexOf("--dir");
  const dir = resolve(dirFlag >= 0 && rest[dirFlag + 1] ? rest[dirFlag + 1]! : join(tmpdir(), "sluice-kube"));
  if (command === "up") await up(dir);
  else if (command === "down") await down(dir);
  else {
    console.error("usage: cluster.ts up|down [--dir DIR]");
    return 2;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
