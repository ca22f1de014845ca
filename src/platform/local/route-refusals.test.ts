import { describe, expect, it } from "vitest";
import { RouteRefusals } from "./route-refusals.js";
import type { RolloutRoute, RouterConfig } from "./router/config.js";

const route = (rollout: string, weights: Record<string, number>): RolloutRoute => ({
  rollout,
  hosts: [rollout],
  backends: [],
  traffic: { weights, headerRoutes: [], mirrorRoutes: [] },
});
const cfg = (...rollouts: RolloutRoute[]): RouterConfig => ({ generation: 1, rollouts });
const bad = {
  rollout: "web",
  path: "traffic.headerRoutes[0].match[0].headerValue.regex",
  message: 'invalid regex "("',
};

describe("RouteRefusals", () => {
  it("says what the router serves instead of a refused route: the weights it last accepted", () => {
    const book = new RouteRefusals(cfg(route("web", { s: 100, c: 0 })));
    expect(book.trafficError("web")).toBeUndefined();
    book.record(cfg(route("web", { s: 80, c: 20 }), route("api", { x: 100 })), []);
    const { changed, fresh } = book.record(cfg(route("web", { s: 60, c: 40 }), route("api", { x: 100 })), [bad]);
    expect(changed).toEqual(["web"]);
    expect(fresh).toEqual([bad]);
    expect(book.trafficError("web")).toBe(
      `the router refused this rollout's route, traffic.headerRoutes[0].match[0].headerValue.regex: invalid regex "("; it keeps serving the last route it accepted (s 80%, c 20%); fix the rollout's spec and apply it again`,
    );
    expect(book.trafficError("api")).toBeUndefined();
  });

  it("reports a refusal as changed once, and again when it ends", () => {
    const book = new RouteRefusals();
    expect(book.record(cfg(route("web", { s: 100 })), [bad]).changed).toEqual(["web"]);
    expect(book.trafficError("web")).toMatch(/serves no route for this rollout/);
    expect(book.record(cfg(route("web", { s: 100 })), [bad])).toEqual({ changed: [], fresh: [] });
    const other = { ...bad, message: "different" };
    expect(book.record(cfg(route("web", { s: 100 })), [other]).fresh).toEqual([other]);
    expect(book.record(cfg(route("web", { s: 100 })), [])).toEqual({ changed: ["web"], fresh: [] });
    expect(book.trafficError("web")).toBeUndefined();
  });

  it("forgets a removed rollout", () => {
    const book = new RouteRefusals();
    book.record(cfg(route("web", { s: 100 })), [bad]);
    book.forget("web");
    expect(book.trafficError("web")).toBeUndefined();
  });
});
