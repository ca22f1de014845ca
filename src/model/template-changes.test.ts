import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_CHANGE_LINES, templateChanges } from "./template-changes.js";
import { WorkloadTemplate } from "./workload.js";

const pod = (containers: unknown[]) => WorkloadTemplate.parse({ spec: { containers } });
const proc = (p: Record<string, unknown>) => WorkloadTemplate.parse({ process: { command: "node", ...p } });

describe("templateChanges", () => {
  it("says nothing for the same template", () => {
    const t = pod([{ name: "app", image: "shop:1" }]);
    expect(templateChanges(t, t)).toEqual([]);
  });

  it("names images, commands, containers and env names, never env values", () => {
    const from = pod([
      {
        name: "app",
        image: "shop:1",
        env: [
          { name: "DB_PASSWORD", value: "hunter2" },
          { name: "OLD", value: "x" },
        ],
      },
      { name: "sidecar", image: "proxy:1" },
    ]);
    const to = pod([
      {
        name: "app",
        image: "shop:2",
        args: ["--fast"],
        env: [
          { name: "DB_PASSWORD", value: "s3cret" },
          { name: "CACHE_URL", value: "redis://x" },
        ],
      },
      { name: "metrics", image: "exporter:3" },
    ]);
    const lines = templateChanges(from, to);
    expect(lines).toEqual([
      "app: image shop:1 → shop:2",
      "app: command or args changed",
      "app: env +CACHE_URL",
      "app: env -OLD",
      "app: env DB_PASSWORD changed",
      "container metrics added (image exporter:3)",
      "container sidecar removed",
    ]);
    expect(lines.join("\n")).not.toMatch(/hunter2|s3cret|redis/);
  });

  it("shows a process's command and its feature flags one by one", () => {
    const from = proc({ args: ["app.js"], env: [{ name: "SLUICE_FEATURES", value: '{"checkout":false,"old":1}' }] });
    const to = proc({
      args: ["app.js", "--v2"],
      env: [{ name: "SLUICE_FEATURES", value: '{"banner":"blue","checkout":true}' }],
    });
    expect(templateChanges(from, to)).toEqual([
      "command node app.js → node app.js --v2",
      'feature banner added ("blue")',
      "feature checkout: off → on",
      "feature old removed",
    ]);
  });

  it("says something changed when only other fields did", () => {
    const a = proc({ terminationGracePeriodSeconds: 5 });
    const b = proc({ terminationGracePeriodSeconds: 6 });
    expect(templateChanges(a, b)).toEqual(["other template fields changed"]);
    expect(templateChanges(a, pod([{ name: "app", image: "x" }]))).toEqual(["a process became a pod spec"]);
  });

  it("stays short and one line per change for any two templates", () => {
    const env = fc.array(
      fc.record({ name: fc.stringMatching(/^[A-Z_]{1,8}$/), value: fc.string({ maxLength: 300 }) }),
      {
        maxLength: 60,
      },
    );
    const container = fc.record({
      name: fc.stringMatching(/^[a-z]{1,6}$/),
      image: fc.string({ minLength: 1, maxLength: 2000 }),
      env,
    });
    const template = fc.array(container, { minLength: 1, maxLength: 30 }).map((cs) => pod(cs));
    fc.assert(
      fc.property(template, template, (a, b) => {
        const lines = templateChanges(a, b);
        expect(lines.length).toBeLessThanOrEqual(MAX_CHANGE_LINES);
        for (const l of lines) expect(l).not.toContain("\n");
        for (const l of lines) expect(l.length).toBeLessThanOrEqual(2_000);
      }),
      { numRuns: 200 },
    );
  });
});
