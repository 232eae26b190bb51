// The public face of dynamics: integrators (DOPRI5, RK4) on general vector fields, and training
// loops (gradient flow, GD, SGD, loss-based step, small initialisation) over an Objective, with
// stopping rules, progress reports and thinned trajectories.

export type { VectorField, IntegrationStatus, StallCause, StallInfo } from "./types.js";
export type { EventSpec, EventHit, RootBracket } from "./events.js";
// crossing (the sign-change test of the event machinery) is imported from events.js.
export { illinois } from "./events.js";
export {
  integrateDopri5,
  createDopri5Workspace,
  type Dopri5Options,
  type Dopri5Result,
  type Dopri5Step,
  type Dopri5Workspace,
} from "./dopri5.js";
export { integrateRk4, createRk4Workspace, type Rk4Options, type Rk4Result, type Rk4Workspace } from "./rk4.js";
// createPoint, offerSample, recordSample and wantsSample (how the training loops fill a
// trajectory) are imported from trajectory.js.
export {
  createTrajectory,
  trajectoryColumns,
  type Trajectory,
  type TrajectoryColumns,
  type TrajectoryMetrics,
  type TrajectoryOptions,
  type TrajectoryPoint,
} from "./trajectory.js";
// logAddExp (a helper of the loops) is imported from monitor.js.
export { type LoopOptions, type Progress, type StopReason, type StopRules, type TrainResult } from "./monitor.js";
export {
  gradientFlow,
  gradientDescent,
  type FlowMethod,
  type FlowDopri5Options,
  type GradientFlowOptions,
} from "./flow.js";
export { createBatchSchedule, nextBatch, type BatchSchedule, type BatchScheduleOptions } from "./batches.js";
export { sgd, type SgdOptions, type SgdResult } from "./sgd.js";
export { lossBasedGradientDescent, type LossBasedStepOptions, type LossBasedStepResult } from "./lossStep.js";
export { smallInitFlow, type SmallInitOptions, type SmallInitResult } from "./smallInit.js";
export { twoLayerSlidingField, type SlidingField } from "./slidingField.js";
export { SlidingController, type SlidingReport, type SlidingChange, type SlidingHooks } from "./sliding.js";
// frozenStop (the loops' end on an unchanged θ; it takes their Monitor) is imported from frozen.js.
export { LOG_MIN_NORMAL, type FrozenStop } from "./frozen.js";
