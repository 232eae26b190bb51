/** Fan-in Gaussian initialisation of a conv network (the conv branch of model.initializeModel). */
import type { Rng } from "../../random/index.js";
import { fillNormal } from "../../random/index.js";
import type { ConvArchitecture } from "./architecture.js";
import { convGeometry, convWeights } from "./architecture.js";

/**
 * θ ← fan-in Gaussian weights (LeCun): conv l entries N(0, 1/(in_ch·kh·kw)), the head N(0, 1/features).
 */
export function initializeConvWeights(arch: ConvArchitecture, theta: Float64Array, rng: Rng): void {
  const g = convGeometry(arch);
  const w = convWeights(arch, theta);
  g.convStages.forEach((s, l) => {
    const sg = g.stages[s];
    fillNormal(rng, w.conv[l], 0, 1 / Math.sqrt(sg.in.channels * sg.stage.kernel[0] * sg.stage.kernel[1]));
  });
  fillNormal(rng, w.head, 0, 1 / Math.sqrt(g.features));
}
