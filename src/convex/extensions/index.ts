// The face of convex/extensions (docs/science/convex.md §8): vector outputs (vector/) and
// parallel three-layer networks (threeLayer/).
export * from "./vector/index.js";
export * from "./threeLayer/index.js";
