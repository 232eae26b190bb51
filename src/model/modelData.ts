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

/** RangeError unless X has d columns for the architecture. */
export function checkInputs(arch: Architecture, X: Matrix): void {
  const d = inputDim(arch);
  if (X.cols !== d) throw new RangeError(`data has ${X.cols} input columns, the ${describeArchitecture(arch)} network expects ${d}`);
}

/** RangeError unless X is n×d, Y is n×k and θ has p entries. */
export function checkModelData(model: Model, data: ModelData): void {
  checkTheta(model.arch, model.theta);
  checkArchData(model.arch, data);
}

/** RangeError unless X is n×d and Y is n×k for the architecture. */
export function checkArchData(arch: Architecture, data: ModelData): void {
  checkInputs(arch, data.X);
  const k = outputDim(arch);
  if (data.Y.cols !== k) throw new RangeError(`data has ${data.Y.cols} target columns, the ${describeArchitecture(arch)} network has ${k} outputs`);
  if (data.Y.rows !== data.X.rows) throw new RangeError(`data has ${data.X.rows} input rows but ${data.Y.rows} target rows`);
}
