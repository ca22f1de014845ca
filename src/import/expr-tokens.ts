/** A token of an Argo (expr-lang) condition, with the whitespace in front of it so output keeps the user's spacing. */
export interface ExprToken {
  kind: "number" | "string" | "ident" | "word" | "op";
  text: string;
  /** Whitespace before the token. */
  ws: string;
}

/** Words expr-lang uses as operators. They never start or end an operand. */
export const WORD_OPERATORS = new Set(["and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith"]);

// Longest first, so `**` is not read as two `*`.
const OPERATORS = [
  "&&",
  "||",
  "==",
  "!=",
  "<=",
  ">=",
  "**",
  "??",
  "?.",
  "..",
  "<",
  ">",
  "!",
  "+",
  "-",
  "*",
  "/",
  "%",
  "^",
  "?",
  ":",
  ".",
  ",",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  "#",
  "|",
];

/** A character the tokenizer does not know, at `position` (0-based). */
export class ExprSyntaxError extends Error {
  override readonly name = "ExprSyntaxError";
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

function readString(src: string, start: number): number {
  const quote = src[start];
  let i = start + 1;
  while (i < src.length && src[i] !== quote) i += src[i] === "\\" && quote !== "`" ? 2 : 1;
  if (i >= src.length) throw new ExprSyntaxError("unterminated string", start);
  return i + 1;
}

/** Splits an expr-lang expression into tokens. Throws {@link ExprSyntaxError}. */
export function tokenizeExpr(src: string): ExprToken[] {
  const tokens: ExprToken[] = [];
  let i = 0;
  while (i < src.length) {
    const wsStart = i;
    while (i < src.length && /\s/.test(src[i] as string)) i++;
    const ws = src.slice(wsStart, i);
    if (i >= src.length) break;
    const rest = src.slice(i);
    const c = src[i] as string;
    // `.5` is a number but `.x` is not.
    const num = /^(0[xX][\da-fA-F_]+|(\d[\d_]*)?\.?\d[\d_]*([eE][+-]?\d+)?)/.exec(rest);
    const word = /^[A-Za-z_$][\w$]*/.exec(rest);
    if (num) {
      tokens.push({ kind: "number", text: num[0], ws });
      i += num[0].length;
    } else if (c === '"' || c === "'" || c === "`") {
      const end = readString(src, i);
      tokens.push({ kind: "string", text: src.slice(i, end), ws });
      i = end;
    } else if (word) {
      tokens.push({ kind: WORD_OPERATORS.has(word[0]) ? "word" : "ident", text: word[0], ws });
      i += word[0].length;
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (op === undefined) throw new ExprSyntaxError(`unexpected character ${JSON.stringify(c)}`, i);
      tokens.push({ kind: "op", text: op, ws });
      i += op.length;
    }
  }
  return tokens;
}

const OPENERS: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** Index of the bracket that closes the one at `open`, or -1. */
export function closingIndex(ts: readonly ExprToken[], open: number): number {
  const o = ts[open]?.text ?? "";
  const c = CLOSERS[o];
  if (c === undefined) return -1;
  let depth = 0;
  for (let i = open; i < ts.length; i++) {
    const t = ts[i] as ExprToken;
    if (t.kind !== "op") continue;
    if (t.text === o) depth++;
    else if (t.text === c && --depth === 0) return i;
  }
  return -1;
}

/** Index of the bracket that opens the one at `close`, or -1. */
export function openingIndex(ts: readonly ExprToken[], close: number): number {
  const c = ts[close]?.text ?? "";
  const o = OPENERS[c];
  if (o === undefined) return -1;
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const t = ts[i] as ExprToken;
    if (t.kind !== "op") continue;
    if (t.text === c) depth++;
    else if (t.text === o && --depth === 0) return i;
  }
  return -1;
}
