import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkloadTemplate } from "../model/index.js";
import { NotFoundError, type Resource } from "../ports/control-plane.js";
import { StoreError } from "./errors.js";
import { LATEST_VERSION, migrate } from "./migrations.js";
import { DB_FILE, openStore, type Store } from "./store.js";
import { fakeClock } from "./test-db.js";

let dir: string;
let store: Store | undefined;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), "sluice-store-")), "nested", ".sluice");
});
afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(path.dirname(path.dirname(dir)), { recursive: true, force: true });
});

const rollout = (name: string, command = "v1") =>
  ({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name },
    spec: { template: { process: { command } } },
  }) as unknown as Resource;
const tpl = (command: string) => ({ process: { command } }) as unknown as WorkloadTemplate;
const tick = { type: "Normal" as const, reason: "Tick", message: "tick" };

describe("openStore", () => {
  it("creates the state directory and keeps everything across a reopen", () => {
    const clock = fakeClock();
    store = openStore(dir, { now: clock.now });
    expect(existsSync(path.join(dir, DB_FILE))).toBe(true);
    store.putResource(rollout("web"));
    store.commitStatus("Rollout", "web", { phase: "Healthy" }, [tick]);
    store.putTemplate("web", "h1", tpl("v1"));
    store.replicas.save({ id: "r1", rollout: "web", revision: "h1", index: 0, pid: 1, port: 2, startTime: "t" });
    store.close();

    store = openStore(dir);
    expect(store.getResource("Rollout", "web")).toMatchObject({
      status: { phase: "Healthy" },
      metadata: { generation: 1 },
    });
    expect(store.listEvents().map((e) => e.reason)).toEqual(["Tick"]);
    expect(store.getTemplates("web")).toEqual({ h1: tpl("v1") });
    expect(store.replicas.list().map((r) => r.id)).toEqual(["r1"]);
  });

  it("upgrades a version 1 state directory", () => {
    const file = path.join(dir, DB_FILE);
    store = openStore(dir);
    store.close();
    // Rebuild the file as an old Sluice would have left it.
    rmSync(file);
    const old = new Database(file);
    migrate(old, 1);
    old
      .prepare(
        `INSERT INTO resources (kind, name, api_version, generation, resource_version, metadata, spec, status, created_at, updated_at)
         VALUES ('Rollout', 'web', 'sluice.dev/v1alpha1', 3, 7, '{}', '{"x":1}', '{"phase":"Healthy"}', 't0', 't0')`,
      )
      .run();
    old.close();

    store = openStore(dir);
    expect(store.getResource("Rollout", "web")).toMatchObject({
      metadata: { generation: 3, resourceVersion: "7" },
      spec: { x: 1 },
      status: { phase: "Healthy" },
    });
    store.replicas.save({
      id: "r",
      rollout: "web",
      revision: "h",
      index: 0,
      pid: 1,
      port: 2,
      startTime: "t",
      restartAt: "t2",
    });
    expect(store.replicas.list()[0]?.restartAt).toBe("t2");
    store.close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    check.close();
  });

  it("reports a foreign database as a StoreError naming the file", () => {
    const file = path.join(dir, DB_FILE);
    store = openStore(dir);
    store.close();
    store = undefined;
    rmSync(file);
    const foreign = new Database(file);
    foreign.exec("CREATE TABLE foo (x)");
    foreign.close();
    expect(() => openStore(dir)).toThrow(StoreError);
    expect(() => openStore(dir)).toThrow(`${file} is not a Sluice state database (it has table "foo")`);
  });

  it("refuses an emptied database once a controller has run here, and creates one in a new directory", () => {
    const file = path.join(dir, DB_FILE);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, ""); // `touch` in a directory nothing ever ran in: nothing to lose
    store = openStore(dir);
    store.close();
    store = undefined;
    writeFileSync(path.join(dir, "api-token"), `${"a".repeat(64)}\n`);
    writeFileSync(file, "");
    expect(() => openStore(dir)).toThrow(`${file} is empty (0 bytes) but this state directory was used before`);
  });

  it("creates the state directory owner-only", () => {
    store = openStore(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});

describe("Store", () => {
  beforeEach(() => {
    store = openStore(dir);
  });

  it("commits a status and its events together and returns the event records", () => {
    const s = store!;
    s.putResource(rollout("web"));
    const records = s.commitStatus("Rollout", "web", { phase: "Paused" }, [tick, { ...tick, reason: "Paused" }]);
    expect(records.map((r) => [r.kind, r.name, r.reason])).toEqual([
      ["Rollout", "web", "Tick"],
      ["Rollout", "web", "Paused"],
    ]);
    expect(s.listEvents({ name: "web" })).toEqual(records);
    expect(s.getResource("Rollout", "web")).toMatchObject({ status: { phase: "Paused" }, metadata: { generation: 1 } });
  });

  it("commits nothing, not even events, for a missing resource", () => {
    expect(() => store!.commitReconcile("Rollout", "ghost", {}, [tick])).toThrow(NotFoundError);
    expect(store!.listEvents()).toEqual([]);
  });

  it("keeps nothing written inside a transaction that throws", () => {
    const s = store!;
    s.putResource(rollout("web"));
    expect(() =>
      s.transaction(() => {
        s.putResource(rollout("api"));
        s.putResource(rollout("web", "v2"));
        s.commitStatus("Rollout", "web", { phase: "Degraded" }, [tick]);
        s.putTemplate("web", "h2", tpl("v2"));
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(s.getResource("Rollout", "api")).toBeUndefined();
    expect(s.getResource("Rollout", "web")).toMatchObject({ spec: { template: { process: { command: "v1" } } } });
    expect(s.getResource("Rollout", "web")?.metadata.generation).toBe(1);
    expect("status" in s.getResource("Rollout", "web")!).toBe(false);
    expect(s.listEvents()).toEqual([]);
    expect(s.getTemplates("web")).toEqual({});
  });

  it("returns what the transaction's function returns, and refuses an async one", () => {
    expect(store!.transaction(() => 42)).toBe(42);
    // An await inside would let other writes slip into the transaction.
    expect(() => store!.transaction(async () => 1)).toThrow(/cannot return a promise/);
  });

  it("deletes a rollout's revision templates with it, and only its own", () => {
    const s = store!;
    s.putResource(rollout("web"));
    s.putTemplate("web", "h1", tpl("v1"));
    s.putTemplate("api", "h9", tpl("x"));
    expect(s.deleteResource("Rollout", "web")).toBe(true);
    expect(s.getTemplates("web")).toEqual({});
    expect(s.getTemplates("api")).toEqual({ h9: tpl("x") });
    expect(s.deleteResource("Rollout", "web")).toBe(false);
  });

  it("lists templates with their numbers and appends events without a status change", () => {
    const s = store!;
    s.putTemplate("web", "h1", tpl("v1"));
    s.putTemplate("web", "h2", tpl("v2"));
    expect(s.listTemplates("web").map((t) => [t.hash, t.number])).toEqual([
      ["h1", 1],
      ["h2", 2],
    ]);
    s.appendEvents("AnalysisRun", "web-1", [tick]);
    expect(s.listEvents({ kind: "AnalysisRun" })).toHaveLength(1);
  });

  it("prunes old events on demand", () => {
    const s = store!;
    for (let i = 0; i < 5; i++) s.appendEvents("Rollout", "web", [tick]);
    expect(s.pruneEvents(3)).toBe(2);
    expect(s.listEvents()).toHaveLength(3);
  });

  it("can be closed twice", () => {
    store!.close();
    expect(() => store!.close()).not.toThrow();
    expect(() => store!.listEvents()).toThrow();
  });
});
