import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import type { PathSegment } from "./errors.js";

/**
 * Finds the line of the field at `path` inside a parsed YAML node. When the path goes past what the
 * document has (a missing required field), the line of the deepest field that exists is returned,
 * so `spec.template: required field is missing` points at `spec:`.
 */
export function lineOf(
  doc: Document,
  root: unknown,
  path: readonly PathSegment[],
  lineCounter: LineCounter,
): number | undefined {
  const lineAt = (offset: number | undefined) => (offset === undefined ? undefined : lineCounter.linePos(offset).line);
  let node: unknown = root;
  let line = lineAt((node as Node | null)?.range?.[0]);
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair === undefined) break;
      line = lineAt((pair.key as Node).range?.[0]) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (item === undefined) break;
      line = lineAt((item as Node).range?.[0]) ?? line;
      node = item;
    } else {
      break;
    }
  }
  return line;
}
