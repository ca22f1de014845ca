import { describe, expect, it } from "vitest";
import { canaryStep, rolloutAnalysis, stringMatch } from "./argo-steps.js";
import { formatNote, Notes } from "./notes.js";

const notes = () => new Notes("r.yaml", "Rollout/web");
const lines = (n: Notes) => n.notes.map(formatNote);

describe("canaryStep", () => {
  it("copies setWeight, pause, setCanaryScale and analysis steps", () => {
    const n = notes();
    expect(canaryStep({ setWeight: 20 }, "s[0]", n)).toEqual({ setWeight: 20 });
    expect(canaryStep({ pause: {} }, "s[1]", n)).toEqual({ pause: {} });
    expect(canaryStep({ pause: { duration: "1h" } }, "s[2]", n)).toEqual({ pause: { duration: "1h" } });
    expect(canaryStep({ pause: { duration: 30 } }, "s[3]", n)).toEqual({ pause: { duration: 30 } });
    expect(canaryStep({ setCanaryScale: { weight: 40 } }, "s[4]", n)).toEqual({ setCanaryScale: { weight: 40 } });
    expect(canaryStep({ setCanaryScale: { matchTrafficWeight: true } }, "s[5]", n)).toEqual({
      setCanaryScale: { matchTrafficWeight: true },
    });
    expect(
      canaryStep({ analysis: { templates: [{ templateName: "sr" }], args: [{ name: "svc", value: "web" }] } }, "s", n),
    ).toEqual({ analysis: { templates: [{ templateName: "sr" }], args: [{ name: "svc", value: "web" }] } });
    expect(n.notes).toEqual([]);
  });

  it("copies header routes", () => {
    const n = notes();
    const step = {
      setHeaderRoute: { name: "testers", match: [{ headerName: "X-Test", headerValue: { exact: "yes" } }] },
    };
    expect(canaryStep(step, "s[0]", n)).toEqual(step);
    expect(canaryStep({ setHeaderRoute: { name: "testers" } }, "s[1]", n)).toEqual({
      setHeaderRoute: { name: "testers" },
    });
    expect(n.notes).toEqual([]);
  });

  it("maps mirror matches: method, path and one header per entry", () => {
    const n = notes();
    const step = canaryStep(
      {
        setMirrorRoute: {
          name: "mirror",
          percentage: 35,
          match: [
            {
              method: { exact: "GET" },
              path: { prefix: "/api" },
              headers: { "x-a": { exact: "1" }, "x-b": { regex: "2.*" } },
            },
          ],
        },
      },
      "steps[3]",
      n,
    );
    expect(step).toEqual({
      setMirrorRoute: {
        name: "mirror",
        percentage: 35,
        match: [{ method: { exact: "GET" }, path: { prefix: "/api" }, headerName: "x-a", headerValue: { exact: "1" } }],
      },
    });
    expect(lines(n)).toEqual([
      "warning: r.yaml: Rollout/web steps[3].setMirrorRoute.match[0].headers.x-b: Sluice matches one header per match entry; dropped",
    ]);
  });

  it("drops experiment and plugin steps with a warning", () => {
    const n = notes();
    expect(canaryStep({ experiment: { duration: "5m" } }, "steps[2]", n)).toBeUndefined();
    expect(canaryStep({ plugin: { name: "x" } }, "steps[3]", n)).toBeUndefined();
    expect(canaryStep({}, "steps[4]", n)).toBeUndefined();
    expect(lines(n)).toEqual([
      "warning: r.yaml: Rollout/web steps[2].experiment: Argo Experiments are not supported yet; dropped",
      "warning: r.yaml: Rollout/web steps[3].plugin: no Sluice equivalent; dropped",
      "warning: r.yaml: Rollout/web steps[4]: empty step; dropped",
    ]);
  });

  it("refuses the rollout for an experiment step whose analyses gate it", () => {
    const n = notes();
    const step = {
      experiment: { templates: [{ name: "canary", specRef: "canary" }], analyses: [{ name: "a", templateName: "t" }] },
    };
    expect(canaryStep(step, "steps[2]", n)).toBeUndefined();
    expect(n.hasErrors).toBe(true);
    expect(lines(n)).toEqual([
      "error: r.yaml: Rollout/web steps[2].experiment: an experiment step with analyses gates the rollout, and Argo Experiments are not supported yet; not imported, as it would be less guarded than its source (pass --drop-unsupported to import it without this)",
    ]);
  });
});

describe("rolloutAnalysis", () => {
  it("maps podTemplateHashValue args 1:1 and drops fieldRef args with a warning", () => {
    const n = notes();
    const a = rolloutAnalysis(
      {
        templates: [{ templateName: "sr", clusterScope: true }],
        args: [
          { name: "hash", valueFrom: { podTemplateHashValue: "Stable" } },
          { name: "ns", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
        ],
        dryRun: [{ metricName: "x" }],
      },
      "a",
      n,
    );
    expect(a).toEqual({
      templates: [{ templateName: "sr", clusterScope: true }],
      args: [{ name: "hash", valueFrom: { podTemplateHashValue: "Stable" } }],
    });
    expect(lines(n)).toEqual([
      "warning: r.yaml: Rollout/web a.dryRun: no Sluice equivalent; dropped",
      'warning: r.yaml: Rollout/web a.args[1].valueFrom.fieldRef: Sluice cannot read fields of the rollout into argument "ns"; set a value by hand; dropped',
    ]);
  });

  it("drops an analysis that names no template", () => {
    const n = notes();
    expect(rolloutAnalysis({ templates: [] }, "steps[1].analysis", n)).toBeUndefined();
    expect(lines(n)).toEqual(["warning: r.yaml: Rollout/web steps[1].analysis: names no analysis template; dropped"]);
  });

  it("refuses the rollout when a template reference cannot be read, as the analysis would lose it", () => {
    const n = notes();
    const a = rolloutAnalysis({ templates: [{ templateName: "ok" }, { clusterScope: true }] }, "steps[1].analysis", n);
    expect(a).toEqual({ templates: [{ templateName: "ok" }] });
    expect(lines(n)).toEqual([
      "error: r.yaml: Rollout/web steps[1].analysis.templates[1]: an analysis template reference with no templateName; not imported, as it would be less guarded than its source (pass --drop-unsupported to import it without this)",
    ]);
  });
});

describe("stringMatch", () => {
  it("keeps the first of several kinds of match", () => {
    const n = notes();
    expect(stringMatch({ exact: "a", regex: "b" }, "m", n)).toEqual({ exact: "a" });
    expect(lines(n)).toEqual([
      "warning: r.yaml: Rollout/web m.regex: Sluice matches one of exact, prefix or regex; kept exact",
    ]);
  });
});
