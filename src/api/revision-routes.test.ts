import { describe, expect, it } from "vitest";
import { Rollout } from "../model/index.js";
import { createApi } from "./app.js";
import { FakeControlPlane, TEST_TOKEN } from "./testing.js";

const template = (image: string, env: { name: string; value: string }[] = []) => ({
  spec: { containers: [{ name: "app", image, env }] },
});

function setup() {
  const control = new FakeControlPlane();
  const rollout = Rollout.parse({
    apiVersion: "sluice.dev/v1alpha1",
    kind: "Rollout",
    metadata: { name: "web" },
    spec: { template: template("shop:2"), strategy: { canary: { steps: [{ setWeight: 20 }] } } },
    status: {
      phase: "Progressing",
      observedGeneration: 1,
      stableRevision: "aaa",
      currentRevision: "bbb",
      revisions: [
        { hash: "aaa", number: 1, role: "stable", replicas: 4, weight: 80 },
        { hash: "bbb", number: 2, role: "canary", replicas: 1, weight: 20 },
      ],
      conditions: [],
    },
  });
  control.resources.set("Rollout/web", rollout);
  control.templates.set("web", {
    aaa: Rollout.shape.spec.shape.template.parse(template("shop:1", [{ name: "TOKEN", value: "t0p-secret" }])),
    bbb: Rollout.shape.spec.shape.template.parse(template("shop:2", [{ name: "TOKEN", value: "n3w-secret" }])),
  });
  const app = createApi({ control, token: TEST_TOKEN, version: "1.2.3" });
  const get = (path: string) => app.request(path, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  return { control, get };
}

describe("GET /api/v1/rollouts/:name/revisions", () => {
  it("says what each revision runs and what the canary changes against stable, without env values", async () => {
    const { get } = setup();
    const res = await get("/api/v1/rollouts/web/revisions");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      stableRevision: "aaa",
      items: [
        { hash: "aaa", number: 1, role: "stable", weight: 80, summary: "app: image shop:1; env TOKEN" },
        {
          hash: "bbb",
          number: 2,
          role: "canary",
          weight: 20,
          summary: "app: image shop:2; env TOKEN",
          changes: ["app: image shop:1 → shop:2", "app: env TOKEN changed"],
        },
      ],
    });
    expect(JSON.stringify(body)).not.toMatch(/secret/);
  });

  it("answers NotFound naming the rollout, and leaves out what it no longer knows", async () => {
    const { control, get } = setup();
    const missing = await get("/api/v1/rollouts/nope/revisions");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toBe('Rollout "nope" not found');
    control.templates.set("web", {});
    const body = (await (await get("/api/v1/rollouts/web/revisions")).json()) as { items: object[] };
    expect(body.items[1]).toEqual({ hash: "bbb", number: 2, role: "canary", weight: 20 });
  });
});
