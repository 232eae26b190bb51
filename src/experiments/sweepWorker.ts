// Worker-thread entry of the sweep pool (loaded as dist/experiments/sweepWorker.js): registers
// every experiment kind, then runs each CellTask it is sent and posts back its CellOutcome.
import { parentPort } from "node:worker_threads";
import "./kinds/index.js";
import { executeCell, type CellTask } from "./cellTask.js";

const port = parentPort;
if (port === null) throw new Error("sweepWorker.js must be run as a worker thread");
port.on("message", (task: CellTask) => {
  void executeCell(task).then((outcome) => port.postMessage(outcome));
});
