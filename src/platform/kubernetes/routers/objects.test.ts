import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { type ObjectRef, routingFailure } from "./objects.js";
import { TrafficRoutingError } from "./port.js";

const ref: ObjectRef = {
  kind: "HTTPRoute",
  group: "gateway.networking.k8s.io",
  version: "v1",
  plural: "httproutes",
  namespace: "default",
  name: "web",
  field: "spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute",
};

const status = (code: number, reason: string, details: object, message = "m") =>
  new ApiException(code, "HTTP error", JSON.stringify({ kind: "Status", code, reason, details, message }), {});

describe("routingFailure", () => {
  it.each([
    [
      status(404, "NotFound", { name: "web", group: "gateway.networking.k8s.io", kind: "httproutes" }),
      "HTTPRoute default/web not found (spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute): create it or fix the name",
    ],
    [
      new ApiException(404, "HTTP error", "404 page not found\n", {}),
      "HTTPRoute (gateway.networking.k8s.io/v1) is not served by this cluster (spec.strategy.canary.trafficRouting.gatewayAPI.httpRoute): install the CRD httproutes.gateway.networking.k8s.io or use another router",
    ],
    [status(404, "NotFound", {}), "is not served by this cluster"],
    [
      status(409, "Conflict", { name: "web" }),
      "HTTPRoute default/web was changed by someone else while Sluice wrote it: conflicting edit; will retry",
    ],
    [
      status(422, "Invalid", { name: "web" }, "spec.rules: Too many"),
      "replace HTTPRoute default/web failed (HTTP 422): spec.rules: Too many",
    ],
    [new Error("socket hang up"), "replace HTTPRoute default/web: socket hang up"],
  ])("turns %s into one clear line", (err, message) => {
    const e = routingFailure(err, ref, "replace", "gatewayAPI");
    expect(e).toBeInstanceOf(TrafficRoutingError);
    expect(e.router).toBe("gatewayAPI");
    expect(e.message).toContain(message);
    expect(e.message).not.toContain("\n");
    expect(e.cause).toBe(err);
  });
});
