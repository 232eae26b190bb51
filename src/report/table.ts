import { formatMeasured, formatTolerance, type Verdict } from "./verdict.js";

/**
 * Plain-text tables for the terminal: columns padded to their widest cell (by code points, so
 * "≤" and "‖" count as one), separated by two spaces, with a rule under the header.
 */

/** Width of a string in code points. */
function width(s: string): number {
  return Array.from(s).length;
}

function pad(s: string, w: number): string {
  return s + " ".repeat(Math.max(0, w - width(s)));
}

/** Cells longer than `max` code points are cut with an ellipsis. */
function clip(s: string, max: number): string {
  const cps = Array.from(s);
  return cps.length <= max ? s : `${cps.slice(0, max - 1).join("")}…`;
}

/**
 * Format rows under headers as aligned text lines (no trailing newline), for the terminal:
 * columns padded to their widest cell (by display width), a rule under the headers.
 *
 * @param headers - the column headers
 * @param rows - the cells, row by row (missing cells are empty)
 * @param maxCell - cells longer than this many code points are cut with an ellipsis (default 72)
 * @returns the table's lines joined by newlines
 * @example
 * ```ts
 * import { formatTable } from "splitscape";
 * console.log(formatTable(["width", "loss"], [["4", "0.12"], ["8", "0.03"]]));
 * ```
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], maxCell = 72): string {
  const cells = rows.map((r) => headers.map((_, j) => clip(r[j] ?? "", maxCell)));
  // A cell with only empty cells after it runs on past its column and does not widen it.
  const last = (r: readonly string[]): number => r.reduce((k, c, j) => (c === "" ? k : j), -1);
  const widths = headers.map((h, j) => Math.max(width(h), ...cells.map((r) => (j < last(r) ? width(r[j]) : 0))));
  const line = (r: readonly string[]): string => r.map((c, j) => (j === r.length - 1 ? c : pad(c, widths[j]))).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "─".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/**
 * A verdict table for the terminal: claim, measured, tolerance, PASS/FAIL.
 *
 * @param verdicts - the verdicts
 * @returns the table as text (formatTable's layout)
 * @example
 * ```ts
 * import { atLeast, atMost, formatVerdictTable } from "splitscape";
 * console.log(formatVerdictTable([atMost("residual ≤ 1e-12", 4e-15, 1e-12), atLeast("margin ≥ 0", 0.3, 0)]));
 * ```
 */
export function formatVerdictTable(verdicts: readonly Verdict[]): string {
  return formatTable(
    ["claim", "measured", "tolerance", "result"],
    verdicts.map((v) => [v.claim, formatMeasured(v), formatTolerance(v), v.pass ? "PASS" : "FAIL"]),
  );
}
