// The face of convex/extensions (science/convex.md, "Extensions"): vector outputs (vector/) and
// parallel three-layer networks (threeLayer/).
export * from "./vector/index.js";
export * from "./threeLayer/index.js";
