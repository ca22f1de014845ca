import { describe, expect, it } from "vitest";
import { UntranslatableError } from "./errors.js";
import { docName, podTemplate, sameNamespace, selector, translateMeta } from "./meta.js";
import { formatNote, Notes } from "./notes.js";

const lines = (n: Notes) => n.notes.map(formatNote);

describe("translateMeta", () => {
  it("keeps name, namespace, labels and annotations and drops what the server wrote", () => {
    const n = new Notes("f.yaml", "Rollout/web");
    const meta = translateMeta(
      {
        metadata: {
          name: "web",
          namespace: "prod",
          labels: { app: "web" },
          annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", team: "a" },
          uid: "123",
          resourceVersion: "9",
          managedFields: [],
          finalizers: ["x"],
        },
      },
      n,
    );
    expect(meta).toEqual({ name: "web", namespace: "prod", labels: { app: "web" }, annotations: { team: "a" } });
    expect(lines(n)).toEqual(["warning: f.yaml: Rollout/web metadata.finalizers: no Sluice equivalent; dropped"]);
  });

  it("cannot translate a document without a name", () => {
    expect(() => docName({ metadata: {} })).toThrow(UntranslatableError);
  });
});

describe("podTemplate", () => {
  it("keeps labels, annotations and the pod spec as it is", () => {
    const n = new Notes("f.yaml", "Rollout/web");
    const spec = { containers: [{ name: "web", image: "web:1" }], nodeSelector: { a: "b" } };
    const t = podTemplate(
      { metadata: { labels: { app: "web" }, creationTimestamp: null, ownerReferences: [] }, spec },
      "spec.template",
      n,
    );
    expect(t).toEqual({ metadata: { labels: { app: "web" } }, spec });
    expect(lines(n)).toEqual([
      "warning: f.yaml: Rollout/web spec.template.metadata.ownerReferences: no Sluice equivalent; dropped",
    ]);
  });

  it("gives nothing for a template without containers", () => {
    expect(podTemplate({ spec: { containers: [] } }, "t", new Notes("f", undefined))).toBeUndefined();
  });
});

describe("selector", () => {
  it("keeps matchLabels and warns about matchExpressions", () => {
    const n = new Notes("f.yaml", "Rollout/web");
    expect(selector({ matchLabels: { app: "web" }, matchExpressions: [] }, "spec.selector", n)).toEqual({
      matchLabels: { app: "web" },
    });
    expect(lines(n)).toEqual([
      "warning: f.yaml: Rollout/web spec.selector.matchExpressions: no Sluice equivalent; dropped",
    ]);
  });
});

describe("sameNamespace", () => {
  it("treats an unset namespace as matching any", () => {
    expect(sameNamespace("a", "a")).toBe(true);
    expect(sameNamespace(undefined, "a")).toBe(true);
    expect(sameNamespace("a", "b")).toBe(false);
  });
});
