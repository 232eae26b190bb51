// The default tolerances of the convex family, written once: the library's defaults and the
// `splitscape convex` help text are generated from these.

/** Relative duality gap a solve reaches by default (solveRelu, solveGatedRelu, solveVectorByAtoms). */
export const SOLVE_TOL = 1e-8;

/** Relative tolerance of the equality and inequality tests of the network certificates (certifyNetwork, certifyVectorNetwork). */
export const CERTIFY_TOL = 1e-6;

/** Dual-ratio tolerance of the minimum-norm column generation (minNormInterpolation): 10× the LP tolerance. */
export const MIN_NORM_TOL = 1e-9;
