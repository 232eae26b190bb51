// The default tolerances of the convex family, written once: the library's defaults and the
// `splitscape convex` help text are generated from these.

/** Relative duality gap a solve reaches by default (solveRelu, solveGatedRelu). */
export const SOLVE_TOL = 1e-8;

/**
 * Relative duality gap of the vector-output solve (solveVectorByAtoms) by default. Column
 * generation over continuous atoms converges sublinearly at the end: measured on 8 points in
 * 2-D + bias with a rank-2 target (β = 0.15), 1e-4 in 8 rounds, 1e-6 in 15 rounds and 19 atoms,
 * 1e-7 in 41 atoms, 1e-8 several times longer; a rank-1 target reaches 1e-6 in ~10 atoms.
 */
export const VECTOR_SOLVE_TOL = 1e-6;

/** Relative tolerance of the equality and inequality tests of the network certificates (certifyNetwork, certifyVectorNetwork). */
export const CERTIFY_TOL = 1e-6;

/** Dual-ratio tolerance of the minimum-norm column generation (minNormInterpolation): 10× the LP tolerance. */
export const MIN_NORM_TOL = 1e-9;
