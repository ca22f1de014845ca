import type { IncomingMessage } from "node:http";
import type { Dispatcher } from "undici";
import { describe, expect, it } from "vitest";
import { compileConfig } from "./compile.js";
import { MIRROR_INFLIGHT_LIMIT, MirrorSender } from "./mirror.js";
import { Telemetry } from "./telemetry.js";
import { UpstreamSet } from "./upstreams.js";

function setup() {
  const sent: { opts: Dispatcher.DispatchOptions; handler: Dispatcher.DispatchHandler }[] = [];
  const upstreams = new UpstreamSet(
    () =>
      ({
        close: async () => {},
        dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
          sent.push({ opts, handler });
          return true;
        },
      }) as unknown as Dispatcher,
  );
  const telemetry = new Telemetry();
  const compiled = compileConfig(
    {
      generation: 1,
      rollouts: [
        {
          rollout: "shop",
          hosts: [],
          backends: [{ revision: "canary", endpoints: ["127.0.0.1:1"] }],
          traffic: {
            weights: { canary: 0 },
            headerRoutes: [],
            mirrorRoutes: [{ name: "m", revision: "canary", match: [], percentage: 100 }],
          },
        },
      ],
    },
    { upstreams, telemetry },
  );
  const mirror = compiled.routes.get("shop")!.mirrors[0]!;
  return { sent, mirror, telemetry, upstreams, sender: new MirrorSender(telemetry) };
}

const req = { method: "POST", url: "/orders" } as IncomingMessage;
const controller = {} as Dispatcher.DispatchController;

describe("MirrorSender", () => {
  it("sends a marked copy with the body and records its outcome on the mirror revision", () => {
    const { sent, mirror, telemetry, sender, upstreams } = setup();
    sender.send(mirror, req, ["host", "shop"], Buffer.from("hello"));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.opts).toMatchObject({
      path: "/orders",
      method: "POST",
      headers: ["host", "shop", "x-sluice-mirror", "true"],
    });
    expect(String(sent[0]!.opts.body)).toBe("hello");
    expect(upstreams.inflight("127.0.0.1:1")).toBe(1);
    sent[0]!.handler.onResponseStart?.(controller, 503, {}, "");
    sent[0]!.handler.onResponseEnd?.(controller, {});
    expect(telemetry.summary("shop", 60)[0]!.byClass["5xx"]).toBe(1);
    expect(upstreams.inflight("127.0.0.1:1")).toBe(0);
  });

  it("counts a failed copy as an error", () => {
    const { sent, mirror, telemetry, sender } = setup();
    sender.send(mirror, req, [], null);
    sent[0]!.handler.onResponseError?.(controller, new Error("refused"));
    expect(telemetry.summary("shop", 60)[0]!.byClass.error).toBe(1);
  });

  it("drops copies beyond the in-flight limit", () => {
    const { sent, mirror, sender } = setup();
    for (let i = 0; i < MIRROR_INFLIGHT_LIMIT + 5; i++) sender.send(mirror, req, [], null);
    expect(sent).toHaveLength(MIRROR_INFLIGHT_LIMIT);
    expect(sender.dropped).toBe(5);
    expect(sender.hasRoom).toBe(false);
    sent[0]!.handler.onResponseEnd?.(controller, {});
    expect(sender.hasRoom).toBe(true);
  });
});
