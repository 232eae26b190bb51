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
  /**
   * The provenance a dataset file records in its own `"source"` field (e.g. the builtin address
   * it was generated from), when it has one: writing the dataset again keeps it.
   */
  readonly origin?: string;
}

/** The provenance to record when writing `ds`: the file's own origin, else where it was read from. */
export function provenance(ds: Dataset): string {
  return ds.origin ?? ds.source;
}
