// The public face of inspect: one report card for a user's trained network — stationarity and
// curvature, redundancy (the embedding principle backwards), max-margin, the convex
// certificate and the plateau class, each with its certificate and size limit — plus the
// regularised objective F = ℒ + (β/2)‖θ_reg‖² shared with slice/, and the report's figures.
export {
  penaltyMask, penaltyValue, objectiveValue, objectiveGradient, objectiveHessian, objectiveHessianOperator, gradientScale, gradientScales,
  type ObjectiveSpec, type ObjectiveValue,
} from "./objective.js";
export {
  INSPECT_GRAD_TOL, measureCurvature, followNegativeCurvature, stationaritySection,
  type StationarityVerdict, type CurvatureMeasurement, type CurvatureCheck, type StationaritySection, type StationarityOptions,
} from "./stationarity.js";
export { SPLIT_EXACT_TOL, redundancySection, type RedundancySection, type RedundancyVerdict, type FunctionError } from "./redundancy.js";
export { KKT_MAX_ENTRIES, KKT_DIRECTION_TOL, marginNotApplicable, marginSection, type MarginSection, type MarginVerdict } from "./margin.js";
// canonicalSign (stationarity.js) and convexSetting (convex.js) are plumbing shared with slice/: import them from their modules.
export {
  CONVEX_MAX_PATTERNS, CONVEX_SAMPLED_PATTERNS, CONVEX_SOLVE_MAX_N, CONVEX_SOLVE_SECONDS, CONVEX_TOL, convexNotApplicable, convexSection,
  type ConvexSection, type CheckedDescentNeuron, type ConvexSetting,
} from "./convex.js";
export { plateauNotApplicable, plateauSection, type PlateauSection, type PlateauGroup } from "./plateau.js";
export {
  SECTION_TITLES, inspectNetwork,
  type InspectOptions, type InspectReport, type InspectFacts, type NotApplicable, type SummaryRow,
} from "./inspect.js";
export { inspectFigures, formatInspectTable, inspectDocument, type InspectFigure } from "./document.js";
