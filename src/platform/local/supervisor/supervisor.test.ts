import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../../../../test/helpers/wait.js";
import { ProcessTemplate } from "../../../model/workload.js";
import { MemoryReplicaRegistry } from "./registry.js";
import { Supervisor, SupervisorError } from "./supervisor.js";

// No replica process runs here (the command does not exist); test/supervisor/ runs real ones.
const stateDir = mkdtempSync(path.join(tmpdir(), "sluice-supervisor-unit-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
const missing = ProcessTemplate.parse({ command: "/nonexistent/sluice-supervisor-test" });

function make(registry = new MemoryReplicaRegistry()) {
  const counts = { changes: 0, named: [] as (readonly string[] | undefined)[] };
  const supervisor = new Supervisor({
    stateDir,
    registry,
    onChange: (rollouts) => {
      counts.changes += 1;
      counts.named.push(rollouts);
    },
    backoff: { initialMs: 20, maxMs: 40 },
  });
  return { supervisor, registry, counts };
}

describe("Supervisor (no processes)", () => {
  it("reports nothing for an unknown rollout", () => {
    const { supervisor } = make();
    expect(supervisor.observe("web")).toEqual([]);
    expect(supervisor.endpoints("web")).toEqual([]);
  });

  it("keeps a revision scaled to zero until it is removed", async () => {
    const { supervisor } = make();
    supervisor.ensure("web", "abc123", missing, 0);
    expect(supervisor.observe("web")).toEqual([{ hash: "abc123", replicas: 0, ready: 0 }]);
    expect(supervisor.endpoints("web")).toEqual([{ revision: "abc123", endpoints: [] }]);
    await supervisor.remove("web", "abc123");
    await supervisor.remove("web", "unknown");
    expect(supervisor.observe("web")).toEqual([]);
  });

  it("counts replicas that exist but are not ready, and tells the controller later, not during ensure", async () => {
    const { supervisor, counts } = make();
    supervisor.ensure("web", "abc123", missing, 2);
    expect(counts.changes).toBe(0);
    expect(supervisor.observe("web")).toEqual([{ hash: "abc123", replicas: 2, ready: 0 }]);
    await waitFor(() => counts.changes > 0, { message: "onChange called" });
    const obs = await waitFor(() => supervisor.observe("web")[0]?.crashLooping, { message: "crash loop reported" });
    expect(obs.message).toContain("could not start");
    await supervisor.stopAll();
    expect(supervisor.observe("web")).toEqual([]);
  });

  it("names the rollouts whose replicas changed, so the controller looks at those alone", async () => {
    const { supervisor, counts } = make();
    supervisor.ensure("web", "abc123", missing, 1);
    supervisor.ensure("api", "def456", missing, 1);
    await waitFor(() => counts.changes > 0, { message: "onChange called" });
    expect(counts.named.every((n) => n !== undefined)).toBe(true);
    expect(new Set(counts.named.flatMap((n) => [...(n ?? [])]))).toEqual(new Set(["web", "api"]));
    await supervisor.stopAll();
  });

  it("forgets recorded replicas whose process is gone", async () => {
    const registry = new MemoryReplicaRegistry();
    registry.save({
      id: "web-abc123-0",
      rollout: "web",
      revision: "abc123",
      index: 0,
      pid: 999_999_999,
      port: 1,
      startTime: "7",
    });
    const { supervisor } = make(registry);
    await supervisor.adopt(() => missing);
    expect(registry.list()).toEqual([]);
    expect(supervisor.observe("web")).toEqual([]);
    await supervisor.detach();
  });

  it("refuses work after detach", async () => {
    const { supervisor } = make();
    await supervisor.detach();
    expect(() => supervisor.ensure("web", "abc123", missing, 1)).toThrow(SupervisorError);
    await expect(supervisor.adopt(() => missing)).rejects.toThrow(SupervisorError);
  });
});
