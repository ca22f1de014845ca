import { describe, expect, it } from "vitest";
import { ProcessTemplate } from "../../../model/workload.js";
import { replicaEnv } from "./spawn-replica.js";

describe("replicaEnv", () => {
  const who = { rollout: "web", revision: "abc123", index: 2 };

  it("inherits only PATH and HOME, then adds identity, template env and the port", () => {
    const template = ProcessTemplate.parse({ command: "app", env: [{ name: "VERSION", value: "2.0" }] });
    const env = replicaEnv(template, 4321, who, {
      PATH: "/bin",
      HOME: "/home/u",
      SECRET_TOKEN: "x",
      NODE_OPTIONS: "--inspect",
    });
    expect(env).toEqual({
      PATH: "/bin",
      HOME: "/home/u",
      SLUICE_ROLLOUT: "web",
      SLUICE_REVISION: "abc123",
      SLUICE_REPLICA: "2",
      VERSION: "2.0",
      PORT: "4321",
    });
  });

  it("lets the template override inherited values but never the port", () => {
    const template = ProcessTemplate.parse({
      command: "app",
      portEnv: "HTTP_PORT",
      env: [
        { name: "PATH", value: "/opt/bin" },
        { name: "HTTP_PORT", value: "80" },
      ],
    });
    const env = replicaEnv(template, 5555, who, { PATH: "/bin" });
    expect(env.PATH).toBe("/opt/bin");
    expect(env.HTTP_PORT).toBe("5555");
    expect(env.PORT).toBeUndefined();
    expect(env.HOME).toBeUndefined();
  });
});
