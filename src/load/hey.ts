import { durationMs } from "../model/duration.js";
import { GeneratedLoad, MAX_LOAD_RATE } from "../model/generated-load.js";

/*
 * Reads a `hey` command line, as Flagger's load tester runs it from a `rollout` webhook
 * (`hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/`), into a `load` section, so
 * `sluice import` can keep the load instead of dropping it. Pure: text in, section and notes out.
 */

/** A translated hey command: the section, and what the translation changed, for warnings. */
export type HeyTranslation = { ok: true; load: GeneratedLoad; notes: string[] } | { ok: false; error: string };

/** Splits a command line as a POSIX shell would for plain words and '…', "…" and \-escapes. */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) word += line[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words;
}

/** hey's flags that take a value. */
const VALUE_FLAGS = new Set([
  "n",
  "c",
  "q",
  "z",
  "o",
  "m",
  "H",
  "t",
  "A",
  "d",
  "D",
  "T",
  "U",
  "a",
  "x",
  "host",
  "cpus",
]);

/** Translates `hey …` into a load section; an error names what cannot be translated. */
export function heyLoad(cmd: string): HeyTranslation {
  const words = shellWords(cmd);
  if (!words) return { ok: false, error: "the hey command has an unclosed quote" };
  if (!/(^|\/)hey$/.test(words[0] ?? "")) return { ok: false, error: "not a hey command" };
  const flags = new Map<string, string[]>();
  let url: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const w = words[i] as string;
    if (w.startsWith("-") && w.length > 1) {
      const name = w.replace(/^--?/, "");
      if (VALUE_FLAGS.has(name)) {
        const v = words[++i];
        if (v === undefined) return { ok: false, error: `hey flag ${w} has no value` };
        flags.set(name, [...(flags.get(name) ?? []), v]);
      } else flags.set(name, []);
    } else if (url === undefined) url = w;
    else return { ok: false, error: `hey takes one URL; found "${url}" and "${w}"` };
  }
  if (!url) return { ok: false, error: "the hey command has no URL" };
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, error: `"${url}" is not a URL` };
  }
  const notes: string[] = [`requests go to the canary revision; the host of ${target.origin} is dropped`];
  const one = (f: string) => flags.get(f)?.at(-1);
  if (flags.has("D")) return { ok: false, error: "hey -D reads the body from a file; put the body in load.body" };
  for (const f of ["x", "U", "a"])
    if (flags.has(f)) return { ok: false, error: `hey -${f} has no load equivalent (proxy, URL list, basic auth)` };

  const concurrency = Number(one("c") ?? 50);
  const perWorker = one("q") === undefined ? undefined : Number(one("q"));
  let rate: number;
  if (perWorker === undefined || perWorker === 0) {
    rate = MAX_LOAD_RATE;
    notes.push(`hey without -q sends as fast as it can; the rate is set to the bound, ${MAX_LOAD_RATE} req/s`);
  } else rate = perWorker * concurrency;
  if (rate > MAX_LOAD_RATE) {
    notes.push(`hey asked ${rate} req/s (-q × -c); the rate is lowered to the bound, ${MAX_LOAD_RATE}`);
    rate = MAX_LOAD_RATE;
  }
  let duration: string | number | undefined = one("z");
  const total = one("n");
  if (duration === undefined && total !== undefined && Number(total) > 0)
    duration = Math.max(1, Math.ceil(Number(total) / rate));
  if (duration !== undefined && typeof duration === "string" && !/^(\d+(ms|s|m|h))+$/.test(duration))
    return { ok: false, error: `hey -z ${duration}: use a duration like 30s, 5m or 1h` };
  if (duration !== undefined && durationMs(duration) === 0) duration = undefined;

  const headers: Record<string, string> = {};
  for (const h of flags.get("H") ?? []) {
    const i = h.indexOf(":");
    if (i <= 0) return { ok: false, error: `hey -H "${h}": use "Name: value"` };
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  if (one("A")) headers.Accept = one("A") as string;
  if (one("T")) headers["Content-Type"] = one("T") as string;
  const body = one("d");
  const parsed = GeneratedLoad.safeParse({
    rate,
    ...(duration !== undefined ? { duration } : {}),
    concurrency: Math.min(concurrency, 256),
    method: (one("m") ?? "GET").toUpperCase(),
    paths: [`${target.pathname}${target.search}`],
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(one("t") !== undefined && Number(one("t")) > 0 ? { timeoutSeconds: Number(one("t")) } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `hey command: load.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}` };
  }
  if (concurrency > 256) notes.push(`hey -c ${concurrency} is lowered to the bound, 256`);
  return { ok: true, load: parsed.data, notes };
}
