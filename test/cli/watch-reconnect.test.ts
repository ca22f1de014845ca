import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApi } from "../../src/api/app.js";
import { type ServedApi, serveApi } from "../../src/api/serve.js";
import { createToken, writeApiAddress } from "../../src/api/state-files.js";
import { FakeControlPlane, rolloutManifest } from "../../src/api/testing.js";
import { CliError } from "../../src/cli/cli-error.js";
import { STATUS_EXIT, statusCommand } from "../../src/cli/commands/status.js";
import { connect } from "../../src/cli/connect.js";
import type { Output } from "../../src/cli/output.js";
import { CONNECTION_LOST, watchWithReconnect } from "../../src/cli/resilient-watch.js";
import { Rollout } from "../../src/model/index.js";
import type { EventRecord } from "../../src/ports/control-plane.js";
import { waitFor } from "../helpers/wait.js";

/** A controller's API as `sluice up` runs it: served on a new port each start, found through api.json. */
class Controllers {
  readonly control = new FakeControlPlane();
  readonly token: string;
  served: ServedApi | undefined;
  constructor(readonly stateDir: string) {
    this.token = createToken(stateDir);
  }
  async start(): Promise<void> {
    this.served = await serveApi(createApi({ control: this.control, token: this.token, version: "test" }));
    writeApiAddress(this.stateDir, this.served.url);
  }
  /** Like a controller stopping: listeners close and every watch stream ends. */
  async stop(): Promise<void> {
    await this.served?.close();
  }
}

function capture(): Output & { logs: string[]; errors: string[] } {
  const logs: string[] = [];
  const errors: string[] = [];
  return { logs, errors, log: (t) => logs.push(t), error: (t) => errors.push(t), isTTY: false };
}

function rollout(phase: string): Rollout {
  return Rollout.parse({
    ...rolloutManifest("web"),
    metadata: { name: "web", generation: 1 },
    status: { phase, observedGeneration: 1, message: `it is ${phase}`, revisions: [] },
  });
}

const event = (id: number): EventRecord => ({
  id,
  kind: "Rollout",
  name: "web",
  time: "2026-01-01T00:00:00.000Z",
  type: "Normal",
  reason: "Step",
  message: `event ${id}`,
});

let dir: string;
let controllers: Controllers;
beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sluice-reconnect-"));
  controllers = new Controllers(dir);
  controllers.control.resources.set("Rollout/web", rollout("Progressing"));
  await controllers.start();
});
afterEach(async () => {
  await controllers.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("status --watch across a controller restart", () => {
  it("prints one line, follows the controller to its new address, and exits with the rollout's phase", async () => {
    const out = capture();
    const reconnect = () => connect({ stateDir: dir });
    const done = statusCommand(
      reconnect(),
      "web",
      { watch: true, timeoutMs: 30_000, reconnect, reconnectDeadlineMs: 20_000 },
      out,
    );
    await waitFor(() => out.logs.includes("web: Progressing — it is Progressing"), { message: "first status line" });
    await controllers.stop();
    await waitFor(() => out.errors.includes(CONNECTION_LOST), { message: "the connection-lost line" });
    // The rollout settles while no controller is reachable; the new one serves on another port.
    controllers.control.resources.set("Rollout/web", rollout("Healthy"));
    await controllers.start();
    expect(await done).toBe(STATUS_EXIT.healthy);
    expect(out.errors).toEqual([CONNECTION_LOST]);
    expect(out.logs.at(-1)).toBe("web: Healthy — it is Healthy");
  });

  it("exits 3 with one line when no controller comes back within the deadline", async () => {
    const out = capture();
    const reconnect = () => connect({ stateDir: dir });
    const done = statusCommand(
      reconnect(),
      "web",
      { watch: true, timeoutMs: 30_000, reconnect, reconnectDeadlineMs: 1_000 },
      out,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    await waitFor(() => out.logs.length > 0, { message: "first status line" });
    await controllers.stop();
    const err = await done;
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(STATUS_EXIT.controllerLost);
    expect((err as CliError).message).toMatch(
      /^could not reconnect to the controller within 1 s \(.+\); rollout "web" was last Progressing/,
    );
    expect((err as CliError).message).not.toContain("\n");
    expect(out.errors).toEqual([CONNECTION_LOST]);
  });
});

describe("watchWithReconnect", () => {
  it("resumes after the last event it saw: none lost, none twice", async () => {
    const seen: number[] = [];
    const aborter = new AbortController();
    const notices: string[] = [];
    let opens = 0;
    const reconnect = () => connect({ stateDir: dir });
    const watching = watchWithReconnect(
      (change) => {
        if (change.type === "event") seen.push(change.event.id);
      },
      {
        client: reconnect(),
        reconnect,
        name: "web",
        signal: aborter.signal,
        notice: (l) => notices.push(l),
        onOpen: () => {
          opens++;
        },
      },
    );
    await waitFor(() => opens === 1, { message: "first subscription" });
    controllers.control.eventLog.push(event(1));
    controllers.control.emit({ type: "event", event: event(1) });
    await waitFor(() => seen.length === 1, { message: "event 1" });
    await controllers.stop();
    // Committed while the client is away.
    controllers.control.eventLog.push(event(2), event(3));
    await controllers.start();
    await waitFor(() => opens === 2 && seen.length === 3, { timeoutMs: 10_000, message: "replayed events" });
    controllers.control.emit({ type: "event", event: event(3) });
    controllers.control.eventLog.push(event(4));
    controllers.control.emit({ type: "event", event: event(4) });
    await waitFor(() => seen.length >= 4, { message: "event 4" });
    aborter.abort();
    await watching;
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(notices).toEqual([CONNECTION_LOST]);
  });
});
