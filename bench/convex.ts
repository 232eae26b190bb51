// Convex reformulation workload (issue 7): the scnn solver-demo instance (n = 1000, d = 50, labels
// from a planted 100-unit network, κ = 10; shared/bench-data), λ = 0.01 in scnn's 1/(2n) scaling,
// i.e. β = nλ = 10 in ours. Gated ReLU over the 500 demo gates, ReLU (cone constraints) over the
// 250 demo gates (500 blocks). Reported: time to a relative duality gap of 1e-6 (one run each —
// the solves take seconds to minutes; repeat the command for best-of), final objective (ours and
// scnn's = ours/n), active neurons, iterations. Reference: scnn's augmented Lagrangian, ≈ 24 s in
// float64 on this hardware for the ReLU program (science/convex.md, "Solvers and scales"); the
// ratio column is 24 s / ours (> 1: faster).
//
// The ReLU row runs the cone projections on every thread coneThreads() allows (the caller and a
// worker pool, see src/convex/solvers/coneKernel.ts; SPLITSCAPE_THREADS overrides), the "1 thread" row
// on the calling thread only.
//
// Standalone: `npx tsx bench/convex.ts [gated|relu|relu-1t]`; in the driver: `npm run bench -- convex`.
// Data folder: $SPLITSCAPE_BENCH_DATA, else ../shared/bench-data beside the repository.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { coneThreads, convexProblem, patternsFromGates, solveGatedRelu, solveRelu } from "../src/convex/index.js";
import { loadDataset } from "../src/data/index.js";
import { fromRows } from "../src/linalg/index.js";
import { makeRow, type Row, type Workload } from "./harness.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const DATA_DIR = process.env.SPLITSCAPE_BENCH_DATA ?? resolve(HERE, "../../shared/bench-data");
const TOL = 1e-6;
const BETA = 10;
const SCNN_RELU_SECONDS = 24;
/** Wall-clock cap per solve (the row then says the gap reached). */
const TIME_LIMIT = Number(process.env.SPLITSCAPE_CONVEX_BENCH_LIMIT ?? 600);

function load(gatesName: string) {
  const ds = loadDataset(join(DATA_DIR, "scnn-solver-demo-train.json"));
  const gates = fromRows((JSON.parse(readFileSync(join(DATA_DIR, gatesName), "utf8")) as { gates: number[][] }).gates);
  const patterns = patternsFromGates(ds.X, gates);
  return convexProblem(ds.X, ds.Y.data.slice(), BETA, "square", patterns);
}

/** Run `f` with SPLITSCAPE_THREADS set to `threads` (the cone projections' thread count). */
function withThreads<T>(threads: string | undefined, f: () => T): T {
  const saved = process.env.SPLITSCAPE_THREADS;
  if (threads === undefined) delete process.env.SPLITSCAPE_THREADS;
  else process.env.SPLITSCAPE_THREADS = threads;
  try {
    return f();
  } finally {
    if (saved === undefined) delete process.env.SPLITSCAPE_THREADS;
    else process.env.SPLITSCAPE_THREADS = saved;
  }
}

function runCase(which: "gated" | "relu" | "relu-1t"): Row {
  if (!existsSync(join(DATA_DIR, "scnn-solver-demo-train.json"))) {
    return { workload: "convex", case: which, seconds: NaN, gflops: null, reference: null, ratio: null, note: `no bench data in ${DATA_DIR}` };
  }
  const problem = load(which === "gated" ? "scnn-solver-demo-gates-500.json" : "scnn-solver-demo-gates-250.json");
  const n = problem.X.rows;
  if (which === "gated") {
    const s = solveGatedRelu(problem, { tol: TOL, maxIterations: 100000, timeLimit: TIME_LIMIT });
    return makeRow("convex", `gated P=${problem.patterns.count}`, s.seconds, null, null,
      `objective ${s.primalValue.toPrecision(10)} (scnn ${(s.primalValue / n).toPrecision(8)}), rel gap ${s.relativeGap.toExponential(2)}${s.converged ? "" : " NOT reached"}, ${s.activeBlocks} active, ${s.iterations} it`);
  }
  // "relu": the cone projections on coneThreads() threads (SPLITSCAPE_THREADS or the cores);
  // "relu-1t": on the calling thread only.
  const threads = which === "relu-1t" ? 1 : withThreads(process.env.SPLITSCAPE_THREADS, coneThreads);
  const s = withThreads(String(threads), () => solveRelu(problem, { tol: TOL, maxIterations: 100000, timeLimit: TIME_LIMIT }));
  return makeRow("convex", `relu P=${problem.patterns.count} (${2 * problem.patterns.count} blocks), ${threads} thread${threads > 1 ? "s" : ""}`, s.seconds, null,
    { name: "scnn AL", seconds: SCNN_RELU_SECONDS },
    `${s.method}: objective ${s.primalValue.toPrecision(10)} (scnn ${(s.primalValue / n).toPrecision(8)}), rel gap ${s.relativeGap.toExponential(2)}${s.converged ? "" : " NOT reached"}, ${s.activeNeurons} neurons, ${s.iterations} ${s.method === "atoms" ? "pricing rounds" : "it"}, ${s.projections} cone projections`);
}

export const convexWorkload: Workload = {
  name: "convex",
  description: "scnn solver demo (n=1000, d=50, β=nλ=10): gated ReLU (500 gates) and ReLU (250 gates; all threads, one thread) to relative gap 1e-6",
  async run(): Promise<Row[]> {
    return [runCase("gated"), runCase("relu"), runCase("relu-1t")];
  },
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const which = process.argv[2];
  const rows = which === "gated" || which === "relu" || which === "relu-1t" ? [runCase(which)] : await convexWorkload.run();
  for (const r of rows) console.log(JSON.stringify(r));
}
