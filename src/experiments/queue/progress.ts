/**
 * Where a queued sweep stands, for progress bars: cells collected (done or failed), running
 * (and where), and still waiting — in total and per worker.
 */

/** One worker's share of a sweep. */
export interface WorkerProgress {
  /** The worker's name: `host:pid/splitscape@version`. */
  name: string;
  done: number;
  failed: number;
  running: number;
}

/** A queued sweep's progress. */
export interface QueueProgress {
  /** Cells this submission waits for. */
  total: number;
  done: number;
  failed: number;
  running: number;
  /** total − done − failed − running: queued, or waiting for a retry. */
  waiting: number;
  /** Workers that ran or run this sweep's cells, by name. */
  workers: WorkerProgress[];
}

/** Counts kept by the submitter while it waits. */
export class ProgressTally {
  private readonly finished = new Map<string, { done: number; failed: number }>();
  private runningBy = new Map<string, number>();
  private done = 0;
  private failed = 0;

  constructor(private readonly total: number) {}

  /** A cell was collected: ok or failed, run by `worker` (null if unknown). */
  collected(worker: string | null, ok: boolean): void {
    const name = worker ?? "(unknown worker)";
    const w = this.finished.get(name) ?? { done: 0, failed: 0 };
    if (ok) {
      w.done++;
      this.done++;
    } else {
      w.failed++;
      this.failed++;
    }
    this.finished.set(name, w);
  }

  /** The cells running now, by worker name. */
  setRunning(byWorker: Map<string, number>): void {
    this.runningBy = byWorker;
  }

  snapshot(): QueueProgress {
    const names = new Set([...this.finished.keys(), ...this.runningBy.keys()]);
    const workers = [...names].sort().map((name) => ({
      name,
      done: this.finished.get(name)?.done ?? 0,
      failed: this.finished.get(name)?.failed ?? 0,
      running: this.runningBy.get(name) ?? 0,
    }));
    const running = Math.min(this.total - this.done - this.failed, workers.reduce((s, w) => s + w.running, 0));
    return { total: this.total, done: this.done, failed: this.failed, running, waiting: this.total - this.done - this.failed - running, workers };
  }
}
