import type { CST, Document, LineCounter } from "yaml";
import { isMap, isPair, isScalar, isSeq, type Node } from "yaml";
import type { PathSegment } from "./errors.js";
import { MAX_DOCUMENT_BYTES, MAX_NESTING_DEPTH } from "./limits.js";

/**
 * Input refused before it is parsed: too large, nested too deep, not UTF-8. The message is one
 * line that says what to do; it never names a parser's internals.
 */
export class InputRefusedError extends Error {
  override readonly name = "InputRefusedError";
  constructor(
    message: string,
    /** 1-based line the problem is on, when known. */
    readonly line?: number,
  ) {
    super(message);
  }
}

const MIB = 1024 * 1024;

/** The size message: `is 3.2 MiB; the limit is 1 MiB per file or request`. */
export function sizeMessage(bytes: number): string {
  return `is ${(bytes / MIB).toFixed(1)} MiB; the limit is ${MAX_DOCUMENT_BYTES / MIB} MiB per file or request, split it up`;
}

/** Throws {@link InputRefusedError} when `bytes` is over {@link MAX_DOCUMENT_BYTES}. */
export function checkSize(bytes: number): void {
  if (bytes > MAX_DOCUMENT_BYTES) throw new InputRefusedError(sizeMessage(bytes));
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes a manifest's bytes as UTF-8, refusing (rather than silently replacing) invalid bytes,
 * and anything over {@link MAX_DOCUMENT_BYTES}.
 */
export function decodeManifest(bytes: Uint8Array): string {
  checkSize(bytes.byteLength);
  try {
    return utf8.decode(bytes);
  } catch {
    // 0x0a never occurs inside a multi-byte sequence, so lines can be checked one by one.
    let start = 0;
    let line = 1;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        utf8.decode(bytes.subarray(start, i));
      } catch {
        break;
      }
      start = i + 1;
      line++;
    }
    throw new InputRefusedError("is not valid UTF-8; save it as UTF-8", line);
  }
}

/** The deepest collection in parsed YAML tokens, when it is past {@link MAX_NESTING_DEPTH}: its offset. */
export function tooDeepOffset(tokens: readonly CST.Token[]): number | undefined {
  // Iterative on purpose: the point is to refuse what would overflow a recursive walk.
  const stack: { token: CST.Token | undefined; depth: number }[] = [];
  for (const t of tokens) if (t.type === "document") stack.push({ token: t.value, depth: 0 });
  while (stack.length > 0) {
    const { token, depth } = stack.pop() as { token: CST.Token | undefined; depth: number };
    if (token === undefined || !("items" in token)) continue;
    if (depth + 1 > MAX_NESTING_DEPTH) return token.offset;
    for (const item of token.items as { key?: CST.Token | null; value?: CST.Token }[]) {
      if (item.key) stack.push({ token: item.key, depth: depth + 1 });
      if (item.value) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
}

/** The message for input nested past {@link MAX_NESTING_DEPTH}. */
export const TOO_DEEP = `nested deeper than ${MAX_NESTING_DEPTH} levels; no Sluice resource needs that many`;

/**
 * Nesting depth of JSON text, found by one linear scan (strings skipped), so it can be refused
 * before `JSON.parse` or any recursive walk sees it. Returns the offset where the depth first
 * passes {@link MAX_NESTING_DEPTH}, or undefined.
 */
export function jsonTooDeepOffset(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_NESTING_DEPTH) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

// The YAML 1.2 core schema's own tags; anything else (`!!js/function`, `!custom`) is refused.
const CORE_TAGS = new Set(["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`));

/** A tag a manifest may not use, with where it is. */
export interface TagProblem {
  path: PathSegment[];
  line: number | undefined;
  tag: string;
}

/** Explicit tags outside the core schema in a parsed document (already known to be shallow). */
export function tagProblems(doc: Document, lineCounter: LineCounter): TagProblem[] {
  const out: TagProblem[] = [];
  const visit = (node: unknown, path: PathSegment[]): void => {
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return;
    const tag = (node as Node).tag;
    if (tag !== undefined && !CORE_TAGS.has(tag)) {
      const offset = (node as Node).range?.[0];
      const line = offset === undefined ? undefined : lineCounter.linePos(offset).line;
      out.push({ path, line, tag: tag.replace(/^tag:yaml\.org,2002:/, "!!") });
    }
    if (isMap(node))
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : "?";
        visit(pair.key, path);
        visit(pair.value, [...path, key]);
      }
    else if (isSeq(node)) for (const [i, item] of node.items.entries()) visit(item, [...path, i]);
  };
  visit(doc.contents, []);
  return out;
}
