// A program outside the repository: it imports the installed package (root and a subpath),
// trains a small ReLU net by gradient descent and certifies it as an approximate KKT point of
// the max-margin problem. Type-checked against the shipped .d.ts and run by test/package/pack.test.ts.
import { VERSION, initializeModel, makeActivation, makeBuiltin, trainModel, twoLayerArchitecture } from "splitscape";
import { kktCertificate } from "splitscape/margin";

const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
const arch = twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("leaky_relu", 0.01) });
const net = initializeModel(arch, { seed: 2 });
const trained = trainModel(net, data, {
  method: "gd", loss: "exponential", mean: true, lr: 0.1, h: 0.1, rtol: 1e-8, atol: 1e-10,
  batchSize: 40, batchSeed: 0, stop: { maxSteps: 20000 }, maxSamples: 100,
});
const cert = kktCertificate(trained.final, data);
console.log(JSON.stringify({
  version: VERSION, steps: trained.result.steps, logLoss: trained.result.logLoss,
  status: cert.status, qmin: cert.qmin, epsilonRelative: cert.epsilonRelative, delta: cert.delta,
}));
