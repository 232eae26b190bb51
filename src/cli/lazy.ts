/**
 * The experiments layer, loaded on first use. Importing its face registers every experiment
 * kind, which is most of the CLI's start-up time (≈ 0.55 of 0.8 s of CPU); only run, sweep,
 * tour and report need it (train imports the run-folder modules it uses directly), so the other commands start without it.
 */
export type Experiments = typeof import("../experiments/index.js");

let loading: Promise<Experiments> | undefined;

/** The experiments module (imported once). */
export function loadExperiments(): Promise<Experiments> {
  loading ??= import("../experiments/index.js");
  return loading;
}
