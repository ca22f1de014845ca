import { describe, expect, it } from "vitest";
import { Metric } from "../../model/index.js";
import { CommandMetricProvider, commandEnv, formatArgv, interpretCommandOutcome, lastLine } from "./command.js";

const Q = "check";

describe("formatArgv", () => {
  it("quotes only what a shell would need quoted", () => {
    expect(formatArgv(["curl", "-s", "http://127.0.0.1:8080/x?y=1"])).toBe("curl -s 'http://127.0.0.1:8080/x?y=1'");
    expect(formatArgv(["echo", "it's"])).toBe(`echo 'it'\\''s'`);
    expect(formatArgv(["a b"])).toBe("'a b'");
  });
});

describe("lastLine", () => {
  it("skips trailing blank lines", () => {
    expect(lastLine("one\ntwo\n\n  \n")).toBe("two");
    expect(lastLine("")).toBe("");
  });
});

describe("interpretCommandOutcome", () => {
  it("exitCode mode: exit 0 is true, anything else false", () => {
    expect(interpretCommandOutcome({ exitCode: 0, stdout: "", stderr: "" }, "exitCode", Q)).toEqual({
      value: true,
      query: Q,
    });
    expect(interpretCommandOutcome({ exitCode: 3, stdout: "", stderr: "" }, "exitCode", Q)).toEqual({
      value: false,
      query: Q,
    });
  });

  it("json mode: parses stdout", () => {
    expect(interpretCommandOutcome({ exitCode: 0, stdout: '{"rate":0.9}', stderr: "" }, "json", Q)).toEqual({
      value: { rate: 0.9 },
      query: Q,
    });
  });

  it("json mode: a non-zero exit is an error with the last stderr line", () => {
    const r = interpretCommandOutcome({ exitCode: 2, stdout: "{}", stderr: "warming\nno such metric\n" }, "json", Q);
    expect(r.error).toBe("command check exited with code 2: no such metric; run it by hand to see why");
  });

  it("json mode: empty or non-JSON stdout is an error", () => {
    expect(interpretCommandOutcome({ exitCode: 0, stdout: " \n", stderr: "" }, "json", Q).error).toMatch(
      /printed nothing/,
    );
    expect(interpretCommandOutcome({ exitCode: 0, stdout: "ok", stderr: "" }, "json", Q).error).toMatch(
      /not JSON \(ok\)/,
    );
  });

  it("a timeout, a signal or a failed start is an error in either mode", () => {
    for (const mode of ["exitCode", "json"] as const) {
      expect(interpretCommandOutcome({ stdout: "", stderr: "", timedOutAfterSeconds: 2 }, mode, Q).error).toMatch(
        /timed out after 2s/,
      );
      expect(interpretCommandOutcome({ stdout: "", stderr: "", signal: "SIGTERM" }, mode, Q).error).toMatch(
        /killed by SIGTERM/,
      );
      expect(interpretCommandOutcome({ stdout: "", stderr: "", spawnError: "ENOENT" }, mode, Q).error).toMatch(
        /could not start \(ENOENT\)/,
      );
    }
  });
});

describe("commandEnv", () => {
  it("keeps PATH, HOME, LANG and TZ of the controller and adds the template's variables", () => {
    const from = { PATH: "/bin", HOME: "/home/c", LANG: "C.UTF-8", KUBERNETES_SERVICE_HOST: "10.0.0.1", TOKEN: "t" };
    expect(commandEnv([{ name: "MODE", value: "x" }], from)).toEqual({
      PATH: "/bin",
      HOME: "/home/c",
      LANG: "C.UTF-8",
      MODE: "x",
    });
  });

  it("lets the template override PATH, and has a PATH even when the controller has none", () => {
    expect(commandEnv([{ name: "PATH", value: "/opt/bin" }], { PATH: "/bin" }).PATH).toBe("/opt/bin");
    expect(commandEnv([], {}).PATH).toBe("/usr/local/bin:/usr/bin:/bin");
  });
});

describe("CommandMetricProvider", () => {
  const ctx = { args: {}, rollout: "r", canaryRevision: "c" };

  it("does not start when the measurement is already cancelled", async () => {
    const m = Metric.parse({ name: "c", provider: { command: { command: ["true"] } } });
    const r = await new CommandMetricProvider().measure(m, { ...ctx, signal: AbortSignal.abort() });
    expect(r.error).toMatch(/cancelled/);
  });

  it("runs node and reads its JSON output", async () => {
    const m = Metric.parse({
      name: "c",
      provider: { command: { command: [process.execPath, "-e", "console.log(JSON.stringify({v: 1}))"] } },
    });
    expect(await new CommandMetricProvider().measure(m, ctx)).toMatchObject({ value: { v: 1 } });
  });

  it("gives the command none of the controller's environment", async () => {
    process.env.SLUICE_TEST_CONTROLLER_SECRET = "hunter2";
    try {
      const m = Metric.parse({
        name: "env",
        provider: {
          command: {
            command: [process.execPath, "-e", "console.log(JSON.stringify(process.env))"],
            env: [{ name: "MODE", value: "strict" }],
          },
        },
      });
      const r = await new CommandMetricProvider().measure(m, ctx);
      const env = r.value as Record<string, string>;
      expect(env.MODE).toBe("strict");
      expect(env.SLUICE_TEST_CONTROLLER_SECRET).toBeUndefined();
      expect(Object.keys(env).every((k) => ["PATH", "HOME", "LANG", "TZ", "MODE"].includes(k))).toBe(true);
    } finally {
      delete process.env.SLUICE_TEST_CONTROLLER_SECRET;
    }
  });
});
