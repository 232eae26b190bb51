// Worker-thread entry of the experiment executor (loaded as dist/experiments/experimentWorker.js):
// registers every experiment kind, then runs each {spec, dir} it is sent into dir/metrics.jsonl
// and posts back the result (or the error), with ctx.log notes on the way.
import { parentPort } from "node:worker_threads";
import "./kinds/index.js";
import { InputError } from "../common/index.js";
import { executeIntoFolder, type ExperimentWorkerMessage } from "./executor.js";
import type { RunSpec } from "./types.js";

const port = parentPort;
if (port === null) throw new Error("experimentWorker.js must be run as a worker thread");
const post = (m: ExperimentWorkerMessage): void => port.postMessage(m);
port.on("message", ({ spec, dir }: { spec: RunSpec; dir: string }) => {
  executeIntoFolder(spec, dir, (message) => post({ type: "log", message })).then(
    (execution) => post({ type: "result", execution }),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      post({
        type: "error",
        error: { name: e.name, message: e.message, stack: e.stack, ...(e instanceof InputError ? { source: e.source, field: e.field } : {}) },
      });
    },
  );
});
