// The public face of plateau: stationary plateaus created by splitting a unit of a smooth
// two-layer network (docs/science/plateau.md) — refinement to a stationary point, the inner Hessian,
// classification of split points with predicted inertia, verification against the full Hessian
// with descent directions, λ-grids and class maps, and the inverse design of test cases.
export { inertiaOfEigenvalues, addInertia, sameInertia, formatInertia, inertiaTriple, type Inertia, type MeasuredInertia } from "./inertia.js";
// splitUnitCopyDivideReference (the direct construction splitUnitCopyDivide is tested against) is imported from split.js.
// checkLambdas, requireScalarTwoLayer and requireSmoothActivation (input checks of the plateau modules) are imported from split.js.
export { splitUnitCopyDivide, childIndices } from "./split.js";
export { outputResiduals, type OutputResiduals } from "./residuals.js";
export { innerHessian, innerHessianMatrix, unitPreactivations, INNER_REL_TOL, type InnerHessian, type InnerHessianOptions } from "./innerHessian.js";
export { refineStationaryPoint, gradientScale, STATIONARY_REL_TOL, type RefineOptions, type RefineStep, type RefinementReport } from "./refine.js";
export {
  SPLIT_CLASSES, LAMBDA_ZERO_TOL, lambdaSigns, qLambdaInertia, predictedSplitInertia, isSureSaddle, isSaddleClass, classifySplitPoint, cubicSplitCoefficients,
  type SplitClass, type LambdaSigns, type SplitClassification, type UndecidedCondition, type EscapeRoute, type CubicEvidence,
} from "./classify.js";
export { nullCubic, cubicForm, type NullCubic } from "./cubic.js";
export { activationThirdDerivative } from "./thirdDerivative.js";
export {
  HESSIAN_REL_TOL, DENSE_HESSIAN_MAX, measureSpectrum, measureHessian, descentAlongEigenvector, quarticProbe, cubicLineProbe, cubicPlateauProbe,
  type HessianMeasurement, type MeasureOptions, type DescentReport, type QuarticProbeDirection, type CubicProbeDirection,
} from "./verify.js";
export { analyzePlateau, analyzeSplitPoint, PLATEAU_MOVE, type PlateauOptions, type PlateauAnalysis, type SplitContext, type SplitPointReport } from "./analyze.js";
export { lambdaLine, simplexGrid } from "./grids.js";
export { designStationaryPoint, INNER_TARGETS, type InnerTarget, type DesignOptions, type DesignedCase } from "./design.js";
