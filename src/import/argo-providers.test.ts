import { describe, expect, it } from "vitest";
import { translateProvider } from "./argo-providers.js";
import { formatNote, Notes } from "./notes.js";

const notes = () => new Notes("t.yaml", "AnalysisTemplate/t");
const lines = (n: Notes) => n.notes.map(formatNote);

describe("translateProvider", () => {
  it("copies prometheus and drops authentication Sluice cannot do", () => {
    const n = notes();
    const r = translateProvider(
      {
        prometheus: {
          address: "http://prom:9090",
          query: "up",
          timeout: 20,
          headers: [{ key: "X-Org", value: "1" }],
          authentication: { sigv4: { region: "eu-west-1" } },
        },
      },
      "p",
      n,
    );
    expect(r).toEqual({
      provider: {
        prometheus: { address: "http://prom:9090", query: "up", timeout: 20, headers: [{ key: "X-Org", value: "1" }] },
      },
    });
    expect(lines(n)).toEqual([
      "warning: t.yaml: AnalysisTemplate/t p.prometheus.authentication.sigv4: Sluice's prometheus provider supports bearerToken and basic authentication; dropped",
    ]);
  });

  it("drops a prometheus metric whose address is templated", () => {
    expect(translateProvider({ prometheus: { address: "{{args.prom}}", query: "up" } }, "p", notes())).toEqual({
      dropped: 'the prometheus address "{{args.prom}}" is not a plain http(s) URL',
    });
  });

  it("copies web, upper-casing the method", () => {
    const n = notes();
    const web = { url: "http://x/{{args.a}}", method: "post", jsonPath: "{$.ok}", timeoutSeconds: 3, insecure: true };
    expect(translateProvider({ web }, "p", n)).toEqual({ provider: { web: { ...web, method: "POST" } } });
    expect(translateProvider({ web: { url: "http://x", method: "DELETE" } }, "q", n)).toEqual({
      provider: { web: { url: "http://x" } },
    });
    expect(lines(n)).toEqual([
      "warning: t.yaml: AnalysisTemplate/t q.web.method: Sluice sends GET, POST or PUT; dropped",
    ]);
  });

  it("runs a one-container Job's command locally, with a warning", () => {
    const n = notes();
    const job = {
      spec: {
        template: {
          spec: { containers: [{ name: "t", image: "busybox", command: ["sh", "-c"], args: ["exit 0"] }] },
        },
      },
    };
    expect(translateProvider({ job }, "p", n)).toEqual({
      provider: { command: { command: ["sh", "-c", "exit 0"], result: "exitCode" } },
    });
    expect(lines(n)).toEqual([
      'warning: t.yaml: AnalysisTemplate/t p.job: now runs "sh -c exit 0" as a local command on the controller\'s machine (image busybox is not used)',
    ]);
  });

  it("cannot run a Job without a command or with several containers", () => {
    const c = (command?: string[]) => ({ name: "c", image: "i", ...(command ? { command } : {}) });
    const job = (containers: unknown[]) => ({ job: { spec: { template: { spec: { containers } } } } });
    expect(translateProvider(job([c()]), "p", notes())).toHaveProperty("dropped");
    expect(translateProvider(job([c(["a"]), c(["b"])]), "p", notes())).toHaveProperty("dropped");
  });

  it.each(["datadog", "newRelic", "wavefront", "cloudWatch", "kayenta", "graphite", "influxdb", "skywalking"])(
    "has no %s provider",
    (kind) => {
      expect(translateProvider({ [kind]: { query: "q" } }, "p", notes())).toEqual({
        dropped: `Sluice has no ${kind} provider`,
      });
    },
  );
});
