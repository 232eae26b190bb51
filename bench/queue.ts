// Sweeps through the queue against the local pool, side by side in the same run: the same grid
// runs (a) on the local pool's 2 worker threads and (b) through a real redis-server with 2
// `splitscape worker --concurrency 1` processes (the built CLI) — the same parallelism, the
// same cell code. Each of the bench's runs (--runs, default 3) times one local sweep then one
// queued sweep of fresh cells, so both see the same machine load; the rows give the medians.
//
//   - 1,000 tiny cells (linalg-check on 1×1 matrices): the queue's overhead per cell,
//     (t_queue − t_local) / 1000 — what enqueueing, pulling, packing, storing, collecting and
//     writing a cell through Redis adds to running it locally. Target ≤ 5 ms.
//   - 200 real cells (linalg-check on 8…32-sized matrices): t_queue / t_local. Target ≤ 1.10.
//
// Needs dist/ (npm run build) and redis-server; without them the rows say why.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSweep, validateSpec } from "../src/experiments/index.js";
import { parseQueueUrl, runQueuedSweep } from "../src/experiments/queue/index.js";
import { killAll, queuePrerequisites, repo, startRedis, startWorkerProcess } from "../test/queue/harness.js";
import { makeRow, median, type BenchContext, type Goal, type Row, type Workload } from "./harness.js";

interface QueueCase {
  label: string;
  cells: number;
  params: Record<string, unknown>;
  /** Turn the two median times into the row's note (the target). */
  verdict: (queue: number, local: number, cells: number) => string;
  /** The goal as a ratio t_local / t_queue, when it is one. */
  goal?: Goal;
}

const CASES: QueueCase[] = [
  {
    label: "1000 tiny cells (linalg-check, 1×1)",
    cells: 1000,
    params: { sizes: [1], n: 16 },
    verdict: (q, l, n) => {
      const ms = ((q - l) / n) * 1000;
      return `queue overhead ${ms.toFixed(2)} ms per cell (target ≤ 5): ${ms <= 5 ? "met" : "MISSED"}`;
    },
  },
  {
    label: "200 real cells (linalg-check, 8…32)",
    cells: 200,
    params: { sizes: [8, 16, 32], n: 32 },
    verdict: (q, l) => `queue/local wall time ${(q / l).toFixed(3)} (target ≤ 1.10): ${q / l <= 1.1 ? "met" : "MISSED"}`,
    goal: { ratio: 1 / 1.1, text: "queued wall time within 10% of the local pool's (t_local / t_queue ≥ 0.909)" },
  },
];

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return (performance.now() - t0) / 1000;
}

async function measure(runs: number): Promise<Row[]> {
  const redis = await startRedis();
  const workers = [startWorkerProcess(redis.url), startWorkerProcess(redis.url)];
  const scratch = mkdtempSync(join(tmpdir(), "splitscape-bench-queue-"));
  const address = parseQueueUrl(redis.url);
  const distWorker = join(repo, "dist/experiments/sweepWorker.js");
  try {
    for (const w of workers) await w.waitForErr(/pulling cells from/, "a worker");
    const rows: Row[] = [];
    for (const c of CASES) {
      const local: number[] = [];
      const queue: number[] = [];
      for (let round = 0; round < runs; round++) {
        // A fresh base seed per round: new cells, so nothing is reused from the last round.
        const seeds = Array.from({ length: c.cells }, (_, i) => 1_000_000 * (round + 1) + i);
        const loaded = validateSpec({ kind: "linalg-check", params: c.params, grid: { seed: seeds } }, "bench:queue");
        local.push(await timed(() => runSweep(loaded, { dir: join(scratch, `local-${c.cells}-${round}`), workers: 2, workerUrl: distWorker })));
        queue.push(await timed(() => runQueuedSweep(loaded, { address, dir: join(scratch, `queue-${c.cells}-${round}`) })));
      }
      rows.push(makeRow({
        workload: "queue", case: c.label, threads: 2, runs: queue,
        reference: { name: "local pool, 2 threads", runs: local },
        note: c.verdict(median(queue), median(local), c.cells),
        ...(c.goal === undefined ? {} : { goal: c.goal }),
      }));
    }
    return rows;
  } finally {
    await killAll(workers);
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
    rmSync(redis.dir, { recursive: true, force: true });
  }
}

export const queueWorkload: Workload = {
  name: "queue",
  description: "sweeps through Redis with 2 worker processes vs the local pool's 2 threads (same cells, same run): overhead per cell, wall-time ratio",
  async run(ctx: BenchContext) {
    const pre = queuePrerequisites();
    if (!pre.ok) return CASES.map((c) => makeRow({ workload: "queue", case: c.label, threads: 2, runs: [], seconds: NaN, note: `skipped: ${pre.why}` }));
    return measure(ctx.runs);
  },
};
