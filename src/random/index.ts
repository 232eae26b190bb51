// The public face of random: seeded, engine-independent random streams and portable math.
export type { Rng, RngState } from "./rng.js";
export {
  createRng,
  fork,
  split,
  cloneRng,
  rngState,
  rngFromState,
  nextUint32,
  uniform,
  uniformIn,
  randInt,
  rademacher,
} from "./rng.js";
export type { Stream } from "./seed.js";
export { normal, fillNormal, normals, gaussianMatrix } from "./normal.js";
export { unitSphere } from "./sphere.js";
export { shuffle, permutation, type MutableList } from "./shuffle.js";
export { pmath } from "./pmath.js";
