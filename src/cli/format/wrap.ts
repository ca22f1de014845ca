import { visibleLength as visibleWidth } from "./table.js";

/**
 * Wraps every line longer than `width` at spaces, so a terminal never breaks a word in two.
 * Continuation lines are indented two past the line's own indent, so a wrapped event or
 * measurement still reads as one entry. A single word longer than the width stays whole.
 *
 * @example wrapToWidth("  Normal  Applied  created from a long file name", 24)
 * // "  Normal  Applied\n    created from a long\n    file name"
 */
export function wrapToWidth(text: string, width: number): string {
  if (!Number.isFinite(width) || width < 20) return text;
  return text
    .split("\n")
    .map((line) => wrapLine(line, width))
    .join("\n");
}

function wrapLine(line: string, width: number): string {
  if (visibleWidth(line) <= width) return line;
  const indent = /^ */.exec(line)?.[0] ?? "";
  const hanging = `${indent}  `;
  // Words with the spaces after each kept, so table columns keep their alignment on the first line.
  const parts = line.slice(indent.length).split(/( +)/);
  const out: string[] = [];
  let current = indent;
  let used = indent.length;
  let gap = "";
  for (let i = 0; i < parts.length; i += 2) {
    const word = parts[i] ?? "";
    const w = visibleWidth(word);
    const atStart = current.trim() === "";
    if (!atStart && used + gap.length + w > width) {
      out.push(current);
      current = hanging + word;
      used = hanging.length + w;
    } else {
      current += (atStart ? "" : gap) + word;
      used += (atStart ? 0 : gap.length) + w;
    }
    gap = parts[i + 1] ?? "";
  }
  out.push(current);
  return out.join("\n");
}
