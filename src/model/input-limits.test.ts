import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeManifest, InputRefusedError, jsonTooDeepOffset } from "./input-limits.js";
import { MAX_DOCUMENT_BYTES, MAX_NESTING_DEPTH } from "./limits.js";
import { loadPaths, loadText, parseResource } from "./load.js";
import { readProcessStdin } from "./manifest-files.js";

const rollout = (extra = "") => `apiVersion: sluice.dev/v1alpha1
kind: Rollout
metadata:
  name: demo
spec:
  template:
    process:
      command: node
  strategy:
    blueGreen: {}
${extra}`;

const messages = (text: string) => loadText(text, "in.yaml").errors.map(String);

describe("input refused before parsing", () => {
  // Each of these overflowed the YAML composer's stack ("Maximum call stack size exceeded"), or
  // worse, crashed the process in V8's regex compiler at 200k levels.
  it.each([
    ["flow sequences", `a: ${"[".repeat(20_000)}${"]".repeat(20_000)}`],
    ["an unclosed flow sequence", "[".repeat(200_000)],
    ["compact block sequences", `${"- ".repeat(20_000)}x`],
    ["JSON objects", `${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}`],
    // Found by the property test: the parser closes block sequences recursively at the next dedent.
    ["block sequences closed by a dedent", `${"- ".repeat(5000)}apiVersion: v\nkind: k\n`],
  ])("refuses %s nested 20,000 deep with one line naming the limit", (_what, text) => {
    const started = performance.now();
    const errors = messages(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^in\.yaml:[12] nested deeper than 64 levels; no Sluice resource needs that many$/);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("accepts nesting up to the limit, so only the excess is refused", () => {
    const ok = `${"[".repeat(MAX_NESTING_DEPTH)}${"]".repeat(MAX_NESTING_DEPTH)}`;
    expect(messages(ok)[0]).not.toContain("nested deeper");
    const over = `${"[".repeat(MAX_NESTING_DEPTH + 1)}${"]".repeat(MAX_NESTING_DEPTH + 1)}`;
    expect(messages(over)[0]).toContain("nested deeper");
  });

  it("refuses text over 1 MiB", () => {
    const text = rollout(`# ${"x".repeat(MAX_DOCUMENT_BYTES)}\n`);
    expect(messages(text)).toEqual(["in.yaml is 1.0 MiB; the limit is 1 MiB per file or request, split it up"]);
  });

  it("refuses a billion-laughs alias expansion", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    expect(messages(lines.join("\n"))[0]).toMatch(/^in\.yaml:1 YAML syntax: Excessive alias count/);
  });

  it("refuses YAML tags outside the core schema, at their field", () => {
    expect(messages(rollout().replace("command: node", "command: !custom node"))).toEqual([
      "in.yaml:8 spec.template.process.command: YAML tag !custom is not allowed; write plain values",
    ]);
    // Core tags say what a plain value already is; they stay allowed.
    expect(messages(rollout().replace("command: node", "command: !!str node"))).toEqual([]);
  });

  it("refuses __proto__ keys that JavaScript would otherwise drop silently", () => {
    expect(
      messages(rollout().replace("  name: demo", '  name: demo\n  annotations: {"__proto__": {"x": "y"}}')),
    ).toEqual(['in.yaml:5 metadata.annotations.__proto__: the key "__proto__" is not allowed']);
    const json = JSON.parse(
      '{"apiVersion":"sluice.dev/v1alpha1","kind":"AnalysisTemplate","metadata":{"name":"t","labels":{"__proto__":"x"}},"spec":{}}',
    );
    expect(() => parseResource(json)).toThrow('metadata.labels.__proto__: the key "__proto__" is not allowed');
  });
});

describe("decodeManifest", () => {
  it("refuses invalid UTF-8 with the line it is on, instead of replacing it", () => {
    const bytes = Buffer.concat([Buffer.from("a: 1\nb: 2\nc: "), Buffer.from([0xff, 0xfe]), Buffer.from("\n")]);
    expect(() => decodeManifest(bytes)).toThrow(new InputRefusedError("is not valid UTF-8; save it as UTF-8", 3));
    try {
      decodeManifest(bytes);
    } catch (err) {
      expect((err as InputRefusedError).line).toBe(3);
    }
    expect(decodeManifest(Buffer.from("é: ü\n"))).toBe("é: ü\n");
  });
});

describe("jsonTooDeepOffset", () => {
  it("counts brackets outside strings only", () => {
    expect(jsonTooDeepOffset(`{"a": "${"[".repeat(1000)}"}`)).toBeUndefined();
    expect(jsonTooDeepOffset(`{"a": "\\"${"[".repeat(1000)}"}`)).toBeUndefined();
    expect(jsonTooDeepOffset("[".repeat(MAX_NESTING_DEPTH))).toBeUndefined();
    expect(jsonTooDeepOffset("[".repeat(MAX_NESTING_DEPTH + 1))).toBe(MAX_NESTING_DEPTH);
  });
});

describe("loadPaths and standard input", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sluice-limits-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names the file and line of invalid UTF-8", async () => {
    const file = join(dir, "bad.yaml");
    await writeFile(file, Buffer.concat([Buffer.from(rollout().replace("node", "no")), Buffer.from([0xc3, 0x28])]));
    const { resources, errors } = await loadPaths([file]);
    expect(resources).toEqual([]);
    expect(errors.map(String)).toEqual([`${file}:11 is not valid UTF-8; save it as UTF-8`]);
  });

  it("refuses a file over 1 MiB without parsing it", async () => {
    const file = join(dir, "big.yaml");
    await writeFile(file, rollout(`# ${"x".repeat(2 * MAX_DOCUMENT_BYTES)}\n`));
    const { errors } = await loadPaths([file]);
    expect(errors.map(String)).toEqual([`${file} is 2.0 MiB; the limit is 1 MiB per file or request, split it up`]);
  });

  it("stops reading standard input past the limit", async () => {
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    let served = 0;
    const endless = new Readable({
      read() {
        served++;
        this.push(chunk);
      },
    });
    await expect(readProcessStdin(endless)).rejects.toThrow(/^is over 1\.\d MiB; the limit is 1 MiB/);
    expect(served).toBeLessThan(10);
    const { errors } = await loadPaths(["-"], {
      readStdin: () => readProcessStdin(Readable.from([Buffer.from([0xff])])),
    });
    expect(errors.map(String)).toEqual(["<stdin>:1 is not valid UTF-8; save it as UTF-8"]);
  });
});
