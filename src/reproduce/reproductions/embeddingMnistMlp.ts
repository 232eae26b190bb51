import { mlpArchitecture } from "../../model/index.js";
import { linePlot } from "../../report/index.js";
import { registerReproduction } from "../registry.js";
import type { ReproductionResult } from "../types.js";
import { EMBEDDING_PAPER } from "./embedding.js";
import { kaimingNormal, MNIST_NOTEBOOK, mnistClaims, mnistResult, mnistThreesFives, runMnist } from "./mnist.js";
import { comparisonPlot } from "../figures.js";

/**
 * Embedding paper, MNIST MLP (run_mnist_experiments.ipynb, cell 0, model_type 'mlp'): 784 → 128
 * → 1 leaky-ReLU MLP without biases, split to 256 hidden units; see mnist.ts for the data and
 * what is compared in kind. Published: "Result: Max Trajectory Error = 2.1868e-13" and
 * "Epoch 1/1000 | Avg Loss: 0.7281" (cell 0 output); figure figures/mnist_error_mlp.pdf.
 */

const N = 1726;
const EPOCHS = 60;
const QUICK = { n: 256, epochs: 2 };

async function run(ctx: { quick: boolean; log(m: string): void }): Promise<ReproductionResult> {
  const n = ctx.quick ? QUICK.n : N;
  const epochs = ctx.quick ? QUICK.epochs : EPOCHS;
  const arch = mlpArchitecture([784, 128, 1], { name: "leaky_relu", slope: 0.01 });
  const theta = new Float64Array(784 * 128 + 128);
  theta.set(kaimingNormal(784 * 128, 784, "mnist-mlp/W1"), 0);
  theta.set(kaimingNormal(128, 128, "mnist-mlp/W2"), 784 * 128);
  ctx.log(`MNIST MLP: ${epochs} epochs of SGD on ${n} digits`);
  const { run: r, stepsPerEpoch } = runMnist({ start: { arch, theta }, width: 128, n, epochs }, mnistThreesFives(n));
  return mnistResult(r, stepsPerEpoch, mnistClaims(r, stepsPerEpoch, { maxError: 2.1868e-13, epoch1Loss: 0.7281 }));
}

registerReproduction({
  id: "embedding/mnist-mlp",
  paper: EMBEDDING_PAPER,
  figure: "MNIST 3 vs 5, MLP 784→128→1 split to 256: trajectory error vs epochs (figures/mnist_error_mlp.pdf)",
  source: MNIST_NOTEBOOK,
  description: "The MNIST MLP experiment in kind (1,726 of the offline 10,000 digits, 60 epochs, our seeded weights and batches): the trajectory error at rounding level and the loss after the authors' first epoch's worth of steps.",
  quick: `${QUICK.n} digits, ${QUICK.epochs} epochs: the trajectory error at rounding level`,
  run,
  figures: (result) => [
    { name: "trajectory-error", title: "MNIST MLP: trajectory error ‖η(t) − Tθ(t)‖₂ vs SGD steps", caption: "The largest error in each run of consecutive steps. The published figure (1,000 epochs on 11,552 images) stays below 2.2e-13.", vegaLite: comparisonPlot({ ours: result.series.error ?? [], x: "step", y: "error", logY: true, xTitle: "SGD step", yTitle: "Euclidean Error ‖η(t) − Tθ(t)‖₂", oursLabel: "splitscape (float64)" }) },
    { name: "loss", title: "MNIST MLP: full-batch loss at the end of each epoch", vegaLite: linePlot({ data: result.series.loss ?? [], x: "epoch", y: "loss", logY: true, xTitle: "Epoch", yTitle: "Avg exponential loss" }) },
  ],
});
