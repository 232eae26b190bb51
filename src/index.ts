/**
 * splitscape: a float64 laboratory for the loss landscape of two-layer and deep homogeneous
 * neural networks. This root entry re-exports the public face of every layer; each layer is also
 * its own subpath (`splitscape/linalg`, `splitscape/model`, …), which is what to import when a
 * program needs one layer only. Importing any entry does no work: the wasm kernels compile on
 * the first call that needs them, worker threads start on the first threaded call, and the
 * figure renderer (vega) and LP solver (HiGHS) load when a figure or an LP is made.
 *
 * The layers, bottom to top (imports go down the stack only):
 * common ← linalg ← random, data, io ← model ← dynamics, margin, splitting, ncf, convex, plateau
 * ← slice, inspect ← experiments, report.
 *
 * @packageDocumentation
 */
export * from "./common/index.js";
export * from "./linalg/index.js";
export * from "./random/index.js";
export * from "./data/index.js";
export * from "./io/index.js";
export * from "./model/index.js";
export * from "./dynamics/index.js";
export * from "./margin/index.js";
export * from "./splitting/index.js";
export * from "./ncf/index.js";
export * from "./convex/index.js";
export * from "./plateau/index.js";
export * from "./slice/index.js";
export * from "./inspect/index.js";
export * from "./experiments/index.js";
export * from "./report/index.js";
export { VERSION } from "./version.js";

// Names two layers both export: the root picks one and renames the other (each is also
// available under its own name from its layer's subpath).
export { gradientScale } from "./plateau/index.js";
export { gradientScale as objectiveGradientScale } from "./inspect/index.js";
export type { SummaryRow } from "./experiments/index.js";
export type { SummaryRow as InspectSummaryRow } from "./inspect/index.js";
export type { TrajectoryOptions } from "./dynamics/index.js";
export type { TrajectoryOptions as TrajectoryPlotOptions } from "./report/index.js";
