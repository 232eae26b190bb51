import type { Matrix } from "../linalg/index.js";

/**
 * A dataset: n samples of d inputs with k targets each. Labels ±1 for classification or reals
 * for regression, stored as the n×k matrix Y (k = 1 for scalar outputs).
 */
export interface Dataset {
  /** n×d inputs, one sample per row. */
  readonly X: Matrix;
  /** n×k targets, one sample per row. */
  readonly Y: Matrix;
  /** Where it came from: a file path or a `builtin:NAME?…` address. */
  readonly source: string;
}
