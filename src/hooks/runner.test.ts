import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RolloutEvent } from "../engine/types.js";
import { Rollout } from "../model/index.js";
import { HookRunner, INFORM_HOOK_FAILED } from "./runner.js";

let server: Server;
let base = "";
const bodies: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => {
      text += c;
    });
    req.on("end", () => {
      bodies.push(JSON.parse(text));
      res.writeHead(req.url === "/down" ? 502 : 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function rollout(hooks: unknown[]) {
  return Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: { template: { process: { command: "node" } }, strategy: { canary: { steps: [] } }, hooks },
  });
}

function runner() {
  const answered: string[] = [];
  const failed: RolloutEvent[] = [];
  const r = new HookRunner({
    readEnv: () => undefined,
    providers: {},
    now: () => new Date("2025-01-01T00:00:00Z"),
    answered: (name) => answered.push(name),
    informFailed: (_, e) => failed.push(e),
  });
  return { r, answered, failed };
}

const action = (attempt: number) =>
  ({
    type: "runHook",
    key: "hook/ok",
    hook: "ok",
    hookType: "confirm-promotion",
    attempt,
    revision: "abc",
    weight: 50,
  }) as const;

describe("HookRunner", () => {
  it("runs each try once, however often the engine repeats it, and reports the answer", async () => {
    const { r, answered } = runner();
    const web = rollout([{ name: "ok", type: "confirm-promotion", webhook: { url: `${base}/ok` } }]);
    const before = bodies.length;
    r.run(web, action(1));
    r.run(web, action(1));
    await r.idle();
    r.run(web, action(1)); // answered already: not called again
    await r.idle();
    expect(bodies.length - before).toBe(1);
    expect(answered).toEqual(["web"]);
    expect(r.answersFor("web")).toEqual({
      "hook/ok": { revision: "abc", attempt: 1, ok: true, message: "HTTP 200", at: "2025-01-01T00:00:00.000Z" },
    });
    r.run(web, action(2));
    await r.idle();
    expect(r.answersFor("web")["hook/ok"]?.attempt).toBe(2);
  });

  it("answers a try of a hook no longer in the spec with a failure instead of calling anything", async () => {
    const { r } = runner();
    r.run(rollout([]), action(1));
    expect(r.answersFor("web")["hook/ok"]).toMatchObject({ ok: false, message: 'hook "ok" is no longer in the spec' });
  });

  it("sends events to event hooks and endings to post-rollout hooks; a failure becomes an event that is not sent again", async () => {
    const { r, failed } = runner();
    const web = rollout([
      { name: "ev", type: "event", webhook: { url: `${base}/ok` } },
      { name: "after", type: "post-rollout", webhook: { url: `${base}/down` } },
    ]);
    const before = bodies.length;
    r.inform(web, [
      { type: "Normal", reason: "StepAdvanced", message: "step 1/2 completed" },
      { type: "Normal", reason: "RolloutCompleted", message: "done" },
      { type: "Warning", reason: INFORM_HOOK_FAILED, message: "earlier failure" },
    ]);
    await r.idle();
    const sent = bodies.slice(before);
    expect(sent.filter((b) => b.type === "event").map((b) => (b.event as { reason: string }).reason)).toEqual([
      "StepAdvanced",
      "RolloutCompleted",
    ]);
    expect(sent.filter((b) => b.type === "post-rollout")).toHaveLength(1);
    expect(failed).toEqual([
      { type: "Warning", reason: INFORM_HOOK_FAILED, message: 'post-rollout hook "after" failed: answered HTTP 502' },
    ]);
  });
});
