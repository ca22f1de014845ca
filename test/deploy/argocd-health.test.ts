import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../helpers/controller.js";

// Argo CD runs health scripts in gopher-lua, a Lua 5.1; Debian's lua5.1 runs the same language.
const LUA = "/usr/bin/lua5.1";
const PATCH = `${REPO_ROOT}deploy/argocd/argocd-cm-patch.yaml`;
const KEY = "resource.customizations.health.sluice.dev_Rollout";

/** A JSON value as a Lua table constructor, so the script sees what Argo CD would hand it. */
function luaValue(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `{${value.map(luaValue).join(", ")}}`;
  const fields = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `[${JSON.stringify(k)}] = ${luaValue(v)}`,
  );
  return `{${fields.join(", ")}}`;
}

function health(obj: unknown): { status: string; message: string } {
  if (!existsSync(LUA)) throw new Error(`${LUA} not found; install it with: apt-get install -y lua5.1`);
  const script = (parse(readFileSync(PATCH, "utf8")) as { data: Record<string, string> }).data[KEY];
  if (!script) throw new Error(`${PATCH} has no data["${KEY}"]`);
  const program = [
    `obj = ${luaValue(obj)}`,
    `local check = assert(loadstring(${JSON.stringify(script)}))`,
    "local hs = check()",
    'io.write(hs.status, "\\n", hs.message or "")',
  ].join("\n");
  const [status = "", message = ""] = execFileSync(LUA, ["-"], { input: program, encoding: "utf8" }).split("\n");
  return { status, message };
}

const rollout = (generation: number, status?: Record<string, unknown>) => ({
  apiVersion: "sluice.dev/v1alpha1",
  kind: "Rollout",
  metadata: { name: "web", generation },
  spec: {},
  ...(status ? { status } : {}),
});

describe("the Argo CD health check for a Rollout (deploy/argocd)", () => {
  it.each([
    ["Healthy", "Healthy"],
    ["Degraded", "Degraded"],
    ["Paused", "Suspended"],
    ["Progressing", "Progressing"],
  ])("maps phase %s to %s, with the controller's message", (phase, expected) => {
    const message = `step 2/4: weight 25; ${phase}`;
    expect(health(rollout(3, { phase, message, observedGeneration: 3 }))).toEqual({ status: expected, message });
  });

  it("is Progressing until the controller has written status for the newest spec", () => {
    expect(health(rollout(1))).toEqual({
      status: "Progressing",
      message: "Waiting for the Sluice controller to report",
    });
    expect(health(rollout(4, { phase: "Healthy", message: "", observedGeneration: 3 }))).toEqual({
      status: "Progressing",
      message: "Waiting for the Sluice controller to act on generation 4",
    });
  });

  it("reports a phase it does not know as Unknown rather than Healthy", () => {
    expect(health(rollout(1, { phase: "Exploding", observedGeneration: 1 })).status).toBe("Unknown");
  });
});
