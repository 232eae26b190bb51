// The public face of the queue room: sweeps across machines through BullMQ on Redis. The CLI
// imports this module only for `sweep --queue/--status/--cancel` and `worker`; BullMQ and
// ioredis are loaded on first use inside it (connection.ts), so no other command loads them.
export { parseQueueUrl, redactUrlText, redactSecrets, REDIS_PASSWORD_ENV, DEFAULT_REDIS_PORT, type QueueAddress } from "./address.js";
export { checkConnection, describeConnectionError, CHECK_TIMEOUT_MS } from "./connection.js";
export { QUEUE_NAME, RETENTION_SECONDS, DEFAULT_ATTEMPTS, RETRY_DELAY_MS, cellJobId, parseCellJobId, type CellJobData, type CellJobResult } from "./jobs.js";
export { packFolder, unpackFiles, writeFolder, PayloadError, MAX_PAYLOAD_BYTES, type PackedFile } from "./payload.js";
export { runQueuedSweep, type QueuedSweepOptions, type QueuedPlan } from "./submit.js";
export type { QueueProgress, WorkerProgress } from "./progress.js";
export {
  startWorker, workerName, DEFAULT_STALL_SECONDS, MAX_STALLS, REFUSAL_DELAY_MS, type QueueWorker, type QueueWorkerOptions, type WorkerSummary,
} from "./worker.js";
export { queueStatus, cancelSweep, type QueueStatus, type SweepStatus, type SweepCellCounts, type QueueWorkerInfo, type CancelOutcome } from "./status.js";
