import type { V1ReplicaSet } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { revisionHash } from "../../engine/hash.js";
import { Rollout } from "../../model/index.js";
import {
  buildReplicaSet,
  HASH_ANNOTATION,
  hashOf,
  ReplicaSetTemplateError,
  replicaSetName,
  revisionSelector,
  rolloutLabelSelector,
  rolloutOwnerReference,
  TEMPLATE_ANNOTATION,
  templateOf,
  userLabels,
} from "./replicasets.js";

const template = {
  metadata: { labels: { app: "web", tier: "front" }, annotations: { "team.example/owner": "payments" } },
  spec: { containers: [{ name: "app", image: "nginx:1", ports: [{ containerPort: 80 }] }] },
};

function rollout(extra: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) {
  return Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web", namespace: "shop", uid: "1234-abcd", ...extra },
    spec: { replicas: 3, minReadySeconds: 5, template, strategy: { canary: {} }, ...spec },
  });
}

describe("replica set naming and selection", () => {
  it("names a revision's ReplicaSet <rollout>-<hash> and selects by rollout and hash", () => {
    expect(replicaSetName("web", "0123456789")).toBe("web-0123456789");
    expect(revisionSelector("web", "0123456789")).toEqual({
      "sluice.dev/rollout": "web",
      "sluice.dev/pod-template-hash": "0123456789",
    });
    expect(rolloutLabelSelector("web")).toBe("sluice.dev/rollout=web");
  });
});

describe("buildReplicaSet", () => {
  const hash = "abcdef0123";

  it("labels the ReplicaSet and pods with the user's labels plus rollout and hash, and selects on the two", () => {
    const rs = buildReplicaSet(rollout(), { hash, template, replicas: 2 });
    const labels = { app: "web", tier: "front", "sluice.dev/rollout": "web", "sluice.dev/pod-template-hash": hash };
    expect(rs.metadata?.name).toBe("web-abcdef0123");
    expect(rs.metadata?.namespace).toBe("shop");
    expect(rs.metadata?.labels).toEqual(labels);
    expect(rs.spec?.template?.metadata?.labels).toEqual(labels);
    expect(rs.spec?.selector.matchLabels).toEqual({
      "sluice.dev/rollout": "web",
      "sluice.dev/pod-template-hash": hash,
    });
    expect(rs.spec?.template?.metadata?.annotations).toEqual({ "team.example/owner": "payments" });
    expect(rs.metadata?.annotations?.[HASH_ANNOTATION]).toBe(hash);
  });

  it("carries the pod spec, the replica count and minReadySeconds", () => {
    const rs = buildReplicaSet(rollout(), { hash, template, replicas: 2 });
    expect(rs.spec?.replicas).toBe(2);
    expect(rs.spec?.minReadySeconds).toBe(5);
    expect(rs.spec?.template?.spec).toEqual(template.spec);
    // A copy: the API client must not be able to change the rollout's template.
    expect(rs.spec?.template?.spec).not.toBe(template.spec);
  });

  it("a user label cannot override the rollout or hash label", () => {
    const t = { ...template, metadata: { labels: { "sluice.dev/pod-template-hash": "evil" } } };
    const rs = buildReplicaSet(rollout(), { hash, template: t, replicas: 1 });
    expect(rs.spec?.template?.metadata?.labels?.["sluice.dev/pod-template-hash"]).toBe(hash);
  });

  it("is owned by the Rollout when it has a uid, and by nothing otherwise", () => {
    const rs = buildReplicaSet(rollout(), { hash, template, replicas: 1 });
    expect(rs.metadata?.ownerReferences).toEqual([
      {
        apiVersion: "sluice.dev/v1alpha1",
        kind: "Rollout",
        name: "web",
        uid: "1234-abcd",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    const noUid = rollout({ uid: undefined });
    expect(rolloutOwnerReference(noUid)).toBeUndefined();
    expect(buildReplicaSet(noUid, { hash, template, replicas: 1 }).metadata?.ownerReferences).toBeUndefined();
  });

  it("uses the namespace given over the rollout's", () => {
    const rs = buildReplicaSet(rollout({ namespace: undefined }), { hash, template, replicas: 1, namespace: "ns2" });
    expect(rs.metadata?.namespace).toBe("ns2");
  });

  it("refuses a process template", () => {
    const local = {
      process: { command: "node", args: [], env: [], portEnv: "PORT", terminationGracePeriodSeconds: 1 },
    };
    expect(() => buildReplicaSet(rollout(), { hash, template: local, replicas: 1 })).toThrow(ReplicaSetTemplateError);
  });
});

describe("reading templates back", () => {
  it("returns the template kept in the annotation, which hashes as the original did", () => {
    const r = rollout();
    const hash = revisionHash(r.spec.template);
    const rs = buildReplicaSet(r, { hash, template: r.spec.template, replicas: 1 });
    const back = templateOf(rs);
    expect(back).toEqual(r.spec.template);
    expect(revisionHash(back!)).toBe(hash);
    expect(hashOf(rs)).toBe(hash);
  });

  it("falls back to the pod template, without Sluice's labels, when the annotation is missing or broken", () => {
    const rs = buildReplicaSet(rollout(), { hash: "abcdef0123", template, replicas: 1 }) as V1ReplicaSet;
    rs.metadata!.annotations![TEMPLATE_ANNOTATION] = "{not json";
    expect(templateOf(rs)).toEqual(template);
    delete rs.metadata!.annotations![TEMPLATE_ANNOTATION];
    expect(templateOf(rs)).toEqual(template);
  });

  it("userLabels drops only sluice.dev labels", () => {
    expect(userLabels({ app: "x", "sluice.dev/rollout": "r" })).toEqual({ app: "x" });
    expect(userLabels({ "sluice.dev/rollout": "r" })).toBeUndefined();
    expect(userLabels(undefined)).toBeUndefined();
  });

  it("hashOf reads the label, else the annotation", () => {
    expect(hashOf({ metadata: { annotations: { [HASH_ANNOTATION]: "h1" } } } as V1ReplicaSet)).toBe("h1");
    expect(hashOf({ metadata: {} } as V1ReplicaSet)).toBeUndefined();
  });
});
