import { describe, expect, it } from "vitest";
import { renderMetrics } from "./prometheus.js";
import { Telemetry } from "./telemetry.js";

describe("renderMetrics", () => {
  it("renders counters per class and a cumulative histogram", () => {
    const t = new Telemetry({ now: () => 1_000_000 });
    const s = t.series("shop", "abc");
    t.record(s, 0, 0.3);
    t.record(s, 0, 7);
    t.record(s, 3, 7);
    const text = renderMetrics(t.all(), { generation: 4, inflight: 2 });
    const lines = text.split("\n");
    expect(lines).toContain('sluice_router_requests_total{rollout="shop",revision="abc",code="2xx"} 2');
    expect(lines).toContain('sluice_router_requests_total{rollout="shop",revision="abc",code="5xx"} 1');
    expect(lines).toContain('sluice_router_requests_total{rollout="shop",revision="abc",code="error"} 0');
    expect(lines).toContain(
      'sluice_router_request_duration_seconds_bucket{rollout="shop",revision="abc",le="0.0005"} 1',
    );
    expect(lines).toContain('sluice_router_request_duration_seconds_bucket{rollout="shop",revision="abc",le="0.01"} 3');
    expect(lines).toContain('sluice_router_request_duration_seconds_bucket{rollout="shop",revision="abc",le="+Inf"} 3');
    expect(lines).toContain('sluice_router_request_duration_seconds_count{rollout="shop",revision="abc"} 3');
    expect(lines).toContain("sluice_router_config_generation 4");
    expect(lines).toContain("sluice_router_inflight_requests 2");
    expect(text.endsWith("\n")).toBe(true);
  });

  it("escapes label values", () => {
    const t = new Telemetry({ now: () => 0 });
    t.series('we"ird\\', "a\nb");
    const text = renderMetrics(t.all(), { generation: 0, inflight: 0 });
    expect(text).toContain('rollout="we\\"ird\\\\",revision="a\\nb"');
  });
});
