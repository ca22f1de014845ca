// Loaded with `NODE_OPTIONS=--import=.../cpu-profile-hook.mjs` (Node refuses --cpu-prof there): profiles
// the whole process and writes a .cpuprofile into $SLUICE_CPU_PROFILE_DIR when it exits, however it exits.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const dir = process.env.SLUICE_CPU_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  // An in-thread session answers synchronously, so this works inside an "exit" handler.
  process.once("exit", () => {
    session.post("Profiler.stop", (err, result) => {
      if (!err) writeFileSync(path.join(dir, `sluice-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
