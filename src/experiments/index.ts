// The public face of experiments: the registry of experiment kinds, spec files, run folders,
// re-rendering, sweeps and the tour. Importing it registers every built-in kind (kinds/).
import "./kinds/index.js";

export type { ExperimentDefinition, ExperimentResult, RunContext, RunSpec, Scalar, Summary, SummaryOfRun } from "./types.js";
export type { ExperimentSummaries, ExperimentKind, SummaryOf } from "./summaries.js";
export { runExperiment } from "./execute.js";
export { FAMILIES, FAMILY_IDS, isFamilyId, type FamilyId } from "./families.js";
export { registerExperiment, unregisterExperiment, getExperiment, experimentKinds, listExperiments, experimentsOfFamily } from "./registry.js";
export {
  loadSpec, validateSpec, validateParams, readSpecFile, parseSpecText, paramNames, describeParams, type LoadedSpec, type Grid, type ParamDescription,
} from "./spec.js";
// Plumbing stays out of the face (import it from its module): zodErrors.js (zod error messages),
// hash.js, the run folder's writers (runFolder.js), executor.js's worker executors, pool.js,
// trainHost.js, json.js, environment.js and sweep.js's steps (the queue's).
export {
  INCOMPLETE,
  SPEC_FILE,
  RESULT_FILE,
  RUN_FILE,
  METRICS_FILE,
  REPORT_FILE,
  FIGURES_DIR,
  isComplete,
  incompleteReason,
  readRunJson,
} from "./runFolder.js";
export { runToFolder, executeExperiment, RunFailedError, type RunOptions, type RunOutcome } from "./runner.js";
export { rerenderRun, type RerenderOutcome } from "./rerender.js";
export type { Environment } from "./environment.js";
export { expandGrid, gridSize, type GridCell } from "./grid.js";
export type { PoolOptions, CellPool } from "./pool.js";
export type { CellTask, CellOutcome } from "./cellTask.js";
export { runSweep, type SweepOptions, type SweepOutcome, type SweepMode } from "./sweep.js";
export { summaryCsv, summaryColumns, summaryFigures, aggregateVerdicts, type SummaryRow } from "./summary.js";
export { runTour, type TourEntry, type TourOutcome, type TourOptions } from "./tour.js";
export { TRAIN_METHODS, SMALL_INIT_NORM, trainModel, type TrainMethod, type TrainSettings, type TrainOutcome } from "./training.js";
export { type TrainHooks } from "./training.js";
export type { TrainIsolatedOptions, IsolatedTrainOutcome } from "./trainHost.js";
export {
  inProcessExecutor, type ExperimentExecutor, type Execution, type ExecuteOptions,
} from "./executor.js";
