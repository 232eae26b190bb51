/**
 * The data a model is evaluated on: inputs X (n×d) and targets Y (n×k), e.g. a Dataset.
 * Shape checks shared by the model-level functions.
 */
import type { Matrix } from "../linalg/index.js";
import type { Architecture } from "./architecture.js";
import { checkTheta, describeArchitecture, inputDim, outputDim } from "./architecture.js";
import type { Model } from "./architecture.js";

/** Inputs and targets (any record with X and Y, such as a Dataset). */
export interface ModelData {
  readonly X: Matrix;
  readonly Y: Matrix;
}

/**
 * RangeError unless X has d columns for the architecture.
 *
 * @param arch - the architecture
 * @param X - inputs, n×d row-major
 * @example
 * ```ts
 * import { checkInputs, makeActivation, makeBuiltin, twoLayerArchitecture } from "splitscape";
 * const data = makeBuiltin("builtin:blobs?n=20&seed=1");
 * checkInputs(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), data.X); // passes; d: 3 would throw
 * ```
 */
export function checkInputs(arch: Architecture, X: Matrix): void {
  const d = inputDim(arch);
  if (X.cols !== d) throw new RangeError(`data has ${X.cols} input columns, the ${describeArchitecture(arch)} network expects ${d}`);
}

/**
 * RangeError unless X is n×d, Y is n×k and θ has p entries.
 *
 * @param model - the network
 * @param data - inputs X (n×d) and targets Y (n×k), e.g. a Dataset
 * @example
 * ```ts
 * import { checkModelData, initializeModel, makeActivation, makeBuiltin, twoLayerArchitecture } from "splitscape";
 * const net = initializeModel(twoLayerArchitecture({ d: 2, m: 4, activation: makeActivation("relu") }), { seed: 1 });
 * checkModelData(net, makeBuiltin("builtin:blobs?n=20&seed=1")); // throws RangeError on any shape mismatch
 * ```
 */
export function checkModelData(model: Model, data: ModelData): void {
  checkTheta(model.arch, model.theta);
  checkArchData(model.arch, data);
}

/**
 * RangeError unless X is n×d and Y is n×k for the architecture.
 *
 * @param arch - the architecture
 * @param data - inputs X (n×d) and targets Y (n×k), e.g. a Dataset
 * @example
 * ```ts
 * import { checkArchData, makeActivation, makeBuiltin, mlpArchitecture } from "splitscape";
 * checkArchData(mlpArchitecture([2, 8, 1], makeActivation("relu")), makeBuiltin("builtin:blobs?n=20&seed=1"));
 * ```
 */
export function checkArchData(arch: Architecture, data: ModelData): void {
  checkInputs(arch, data.X);
  const k = outputDim(arch);
  if (data.Y.cols !== k) throw new RangeError(`data has ${data.Y.cols} target columns, the ${describeArchitecture(arch)} network has ${k} outputs`);
  if (data.Y.rows !== data.X.rows) throw new RangeError(`data has ${data.X.rows} input rows but ${data.Y.rows} target rows`);
}
