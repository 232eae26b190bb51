import { specHash } from "./runFolder.js";
import type { Grid } from "./spec.js";
import type { RunSpec } from "./types.js";

/**
 * Grid expansion for sweeps: the cartesian product of the grid axes (in the order they are
 * written; the last axis varies fastest), each cell a full RunSpec with that axis value put in
 * place of the parameter (or of the seed, for the axis "seed"). A cell is identified by the
 * hash of its spec, so a finished cell is recognised whatever grid it came from.
 */

/** One cell of a grid. */
export interface GridCell {
  /** Position in the expansion (0-based). */
  index: number;
  /** The axis values of this cell (axis → value). */
  values: Record<string, unknown>;
  spec: RunSpec;
  /** specHash(spec): the cell's folder name under cells/. */
  hash: string;
}

/**
 * Number of cells of a grid (the product of the axis lengths; 1 for no axes), before cells
 * with coinciding specs are merged.
 *
 * @param grid - the grid axes: parameter name (or "seed") → its values
 * @returns the product of the axis lengths
 * @example
 * ```ts
 * import { gridSize } from "splitscape";
 * console.log(gridSize({ n: [16, 32, 64], seed: [1, 2] })); // 6
 * ```
 */
export function gridSize(grid: Grid): number {
  return Object.values(grid).reduce((n, vs) => n * vs.length, 1);
}

/**
 * Expand `grid` around the base spec. Cells whose specs coincide (a value repeated on an axis)
 * are kept once. Parameter values are substituted as given: validate them first (validateSpec
 * does) so that defaults and types are already right.
 *
 * @param base - the spec the grid varies (kind, seed, params with defaults filled)
 * @param grid - the axes in order (the last varies fastest): parameter name or "seed" → values
 * @param validate - maps each cell's params to the params it runs with (e.g. validateParams; default: as given)
 * @returns the cells in expansion order: index, the axis values, the cell's spec and its hash (its folder name under cells/)
 * @example
 * ```ts
 * import { expandGrid, validateSpec } from "splitscape";
 * const { spec, grid } = validateSpec({ kind: "linalg-check", grid: { seed: [1, 2, 3] } }, "sweep spec");
 * for (const cell of expandGrid(spec, grid!)) console.log(cell.index, cell.values, cell.hash);
 * ```
 */
export function expandGrid(base: RunSpec, grid: Grid, validate: (params: Record<string, unknown>) => Record<string, unknown> = (p) => p): GridCell[] {
  const axes = Object.entries(grid);
  const cells: GridCell[] = [];
  const seen = new Set<string>();
  const total = gridSize(grid);
  for (let flat = 0; flat < total; flat++) {
    const values: Record<string, unknown> = {};
    let rest = flat;
    for (let a = axes.length - 1; a >= 0; a--) {
      const [name, vs] = axes[a];
      values[name] = vs[rest % vs.length];
      rest = Math.floor(rest / vs.length);
    }
    const ordered: Record<string, unknown> = {};
    for (const [name] of axes) ordered[name] = values[name];
    const params: Record<string, unknown> = { ...base.params };
    let seed = base.seed;
    for (const [name, v] of Object.entries(ordered)) {
      if (name === "seed") seed = v as number;
      else params[name] = v;
    }
    const spec: RunSpec = { kind: base.kind, seed, ...(base.title !== undefined ? { title: base.title } : {}), params: validate(params) };
    const hash = specHash(spec);
    if (seen.has(hash)) continue;
    seen.add(hash);
    cells.push({ index: cells.length, values: ordered, spec, hash });
  }
  return cells;
}
