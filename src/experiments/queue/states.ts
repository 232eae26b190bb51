import type { JobState, Queue } from "bullmq";
import { InterruptedError } from "../../common/index.js";

/** A job's state, or "unknown" when no job has that id. */
export type CellJobState = JobState | "unknown";

/** The states of jobs by id (asked in batches of 500; the commands of a batch are pipelined). */
export async function jobStates(queue: Queue, ids: readonly string[]): Promise<Map<string, CellJobState>> {
  const out = new Map<string, CellJobState>();
  for (let i = 0; i < ids.length; i += 500) {
    const batch = ids.slice(i, i + 500);
    const states = await Promise.all(batch.map((id) => queue.getJobState(id)));
    batch.forEach((id, k) => out.set(id, states[k] as CellJobState));
  }
  return out;
}

/**
 * `promise`, or InterruptedError(null) as soon as `signal` aborts — for awaits that can last
 * (a command waiting for a Redis that is down), so that Ctrl-C is heard. A promise abandoned
 * this way still settles later; its rejection is ignored.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  promise.catch(() => undefined);
  if (signal.aborted) return Promise.reject(new InterruptedError(null));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new InterruptedError(null));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
