// The face of convex/solvers: the solvers of the convex programs — R-FISTA for the gated ReLU
// program, and for the ReLU program column generation over ReLU atoms (square loss) or R-FISTA
// with the exact cone prox, both finished by an active-face Newton polish — with the cone-prox
// engines (TypeScript and the f64x2 wasm kernel on a worker pool) they run on.
export { solveGatedRelu, withBestDual, gatedGap, type GatedSolution, type SolveOptions } from "./gated.js";
export { solveRelu, type ReluSolution, type ReluSolveOptions, type ConvexPoint } from "./relu.js";
export { polishOnFace, POLISH_MAX_DIM } from "./polish.js";
