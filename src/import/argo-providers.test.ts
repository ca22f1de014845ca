import { describe, expect, it } from "vitest";
import { JobProvider } from "../model/analysis.js";
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

  it("keeps a Job metric a Job: the same spec, run by Sluice's job provider", () => {
    const n = notes();
    const job = {
      metadata: { labels: { team: "qa" }, annotations: { note: "smoke" } },
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: 300,
        template: {
          spec: {
            restartPolicy: "Never",
            serviceAccountName: "tests",
            containers: [
              { name: "t", image: "busybox", command: ["sh", "-c"], args: ["exit 0"] },
              { name: "proxy", image: "envoy" },
            ],
          },
        },
      },
    };
    const result = translateProvider({ job }, "p", n);
    expect(result).toEqual({ provider: { job } });
    // The model's job provider accepts what the translation writes.
    expect(JobProvider.safeParse((result as { provider: { job: unknown } }).provider.job).success).toBe(true);
    expect(lines(n)).toEqual([]);
  });

  it("lowers a Job deadline past Sluice's hour to it, and drops one that is not whole seconds", () => {
    const containers = [{ name: "t", image: "busybox" }];
    const job = (activeDeadlineSeconds: unknown) => ({
      job: { spec: { activeDeadlineSeconds, template: { spec: { containers } } } },
    });
    const n = notes();
    expect(translateProvider(job(7200), "p", n)).toEqual({
      provider: { job: { spec: { activeDeadlineSeconds: 3600, template: { spec: { containers } } } } },
    });
    expect(translateProvider(job("1h"), "q", n)).toEqual({
      provider: { job: { spec: { template: { spec: { containers } } } } },
    });
    expect(lines(n)).toEqual([
      "warning: t.yaml: AnalysisTemplate/t p.job.spec.activeDeadlineSeconds: 7200 is more than Sluice allows; lowered to 3600",
      "warning: t.yaml: AnalysisTemplate/t q.job.spec.activeDeadlineSeconds: expected a whole number of seconds; dropped (Sluice waits 600 s for the Job)",
    ]);
  });

  it("drops a Job metric whose Job has no containers, or a container without an image", () => {
    const job = (containers: unknown) => ({ job: { spec: { template: { spec: { containers } } } } });
    expect(translateProvider(job([]), "p", notes())).toEqual({
      dropped: "the job provider's Job has no containers in spec.template.spec",
    });
    expect(translateProvider(job([{ name: "c", command: ["a"] }]), "p", notes())).toEqual({
      dropped: "the job provider's Job has a container without a name or an image",
    });
    expect(translateProvider({ job: {} }, "p", notes())).toEqual({ dropped: "the job provider has no Job spec" });
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
