// Worker-thread entry of `splitscape train` (loaded as dist/experiments/trainWorker.js): runs one
// TrainJob, posting throttled progress and then the outcome. The parent sets the shared
// interrupt flag on Ctrl-C; the run then stops at its next accepted step, keeping what it has.
import { parentPort } from "node:worker_threads";
import { trainModel } from "./training.js";
import { cloneableOutcome, type TrainJob, type TrainWorkerMessage } from "./trainHost.js";

const port = parentPort;
if (port === null) throw new Error("trainWorker.js must be run as a worker thread");
port.once("message", (job: TrainJob) => {
  const flag = new Int32Array(job.interrupt);
  const post = (m: TrainWorkerMessage): void => port.postMessage(m);
  const outcome = trainModel(job.model, job.ds, job.settings, {
    onProgress: (p) => post({ type: "progress", progress: { ...p } }),
    shouldStop: () => Atomics.load(flag, 0) !== 0,
  });
  post({ type: "done", outcome: cloneableOutcome(outcome) });
});
