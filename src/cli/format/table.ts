/**
 * Renders rows as a left-aligned table with two spaces between columns, like kubectl.
 *
 * @example renderTable(["NAME", "PHASE"], [["web", "Healthy"]])
 */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat((widths[i] ?? 0) - visibleLength(c))))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}

// ANSI colour codes take no room on screen.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

export function visibleLength(s: string): number {
  return s.replace(ANSI, "").length;
}

/** A duration in the short form kubectl prints: 45s, 3m, 2h, 4d. */
export function age(from: string | undefined, now: Date): string {
  if (!from) return "-";
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
