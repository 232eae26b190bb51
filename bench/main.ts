// Benchmark driver: `npm run bench` (all workloads) or `npm run bench -- gemm eig` (by name),
// `--runs N` (default 3) runs per measurement — every time reported is the median of the runs,
// ours and the reference measured side by side, round by round. The rows are printed per
// workload, then the headline rows of issue 22 with their goals, and written with the
// environment (CPU, load average before and after, reference versions) to
// bench-results/latest.json; `npm run bench:readme` turns that file into the README's table.
//
// To add a workload: export a `Workload` from its own bench/<name>.ts and list it below.
import { arch, cpus, loadavg, platform } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeFileAtomic } from "../src/common/atomic.js";
import { gemmBackend } from "../src/linalg/index.js";
import { fusedKernels } from "../src/linalg/kernels/wasm.js";
import { convWorkload } from "./conv.js";
import { convexWorkload } from "./convex.js";
import { eigWorkload } from "./eig.js";
import { gemmCrossoverWorkload, gemmThreadsWorkload, gemmWorkload } from "./gemm.js";
import { benchThreads, type BenchContext, type Row, type Workload } from "./harness.js";
import { labWorkload } from "./lab.js";
import { modelHessianWorkload, modelStepWorkload, modelThreadsWorkload } from "./model.js";
import { npyWorkload } from "./npy.js";
import { numpyInfo, UNSET_FOR_REFERENCE } from "./numpy.js";
import { queueWorkload } from "./queue.js";
import { sliceWorkload } from "./slice.js";
import { startupWorkload } from "./startup.js";

export type { Row, Workload } from "./harness.js";

/** All registered workloads, in run order. */
export const WORKLOADS: Workload[] = [
  gemmWorkload,
  gemmThreadsWorkload,
  gemmCrossoverWorkload,
  eigWorkload,
  modelStepWorkload,
  modelThreadsWorkload,
  modelHessianWorkload,
  convexWorkload,
  labWorkload,
  convWorkload,
  npyWorkload,
  sliceWorkload,
  startupWorkload,
  queueWorkload,
];

function fmt(x: number | null, digits: number): string {
  return x === null ? "—" : x.toFixed(digits);
}

function ms(seconds: number): string {
  const v = seconds * 1e3;
  return v >= 1 ? v.toFixed(3) : v.toPrecision(3);
}

/** Fixed-width table: workload | case | ms | GFLOP/s | reference ms | ratio | goal | note. */
export function formatTable(rows: Row[]): string {
  const head = ["workload", "case", "time ms", "GFLOP/s", "ref ms", "ratio", "goal", "reference / note"];
  const body = rows.map((r) => [
    r.workload,
    r.case,
    ms(r.seconds),
    fmt(r.gflops, 2),
    r.reference === null ? "—" : ms(r.reference.seconds),
    fmt(r.ratio, 3),
    r.goal === undefined ? "" : `${r.goal.met === null ? "?" : r.goal.met ? "MET" : "not met"} (≥ ${r.goal.ratio})`,
    [r.reference?.name, r.note].filter((x) => x !== undefined).join("; "),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 || i >= 6 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  ").trimEnd();
  return [line(head), width.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

function parseArgs(argv: string[]): { names: string[]; runs: number } | string {
  const names: string[] = [];
  let runs = 3;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") {
      const v = Number(argv[++i]);
      if (!(Number.isInteger(v) && v >= 1)) return `--runs: expected a positive integer, got ${JSON.stringify(argv[i])}`;
      runs = v;
    } else if (a.startsWith("-")) {
      return `unknown option ${a} (known: --runs N)`;
    } else {
      names.push(a);
    }
  }
  return { names, runs };
}

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  if (typeof args === "string") {
    console.error(`bench: ${args}`);
    process.exitCode = 2;
    return;
  }
  const unknown = args.names.filter((w) => !WORKLOADS.some((x) => x.name === w));
  if (unknown.length > 0) {
    console.error(`bench: unknown workload(s) ${unknown.join(", ")}; known: ${WORKLOADS.map((w) => w.name).join(", ")}`);
    process.exitCode = 2;
    return;
  }
  const selected = args.names.length === 0 ? WORKLOADS : WORKLOADS.filter((w) => args.names.includes(w.name));
  const ctx: BenchContext = { runs: args.runs, threads: benchThreads() };
  const np = numpyInfo();
  const env = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    threads: ctx.threads,
    runs: ctx.runs,
    gemmBackend: gemmBackend(),
    multiplyAdd: gemmBackend() !== "ts" && fusedKernels() ? "fused" : "separate",
    reference: np ?? "python3/numpy unavailable (ratios skipped)",
    referenceEnvironment: `env -u ${UNSET_FOR_REFERENCE.join(" -u ")} with OPENBLAS_NUM_THREADS = the row's thread count`,
    loadAverageBefore: loadavg().map((x) => Number(x.toFixed(2))),
    loadAverageAfter: [] as number[],
  };
  console.log(`splitscape bench — node ${env.node}, ${env.cpu} (${env.cores} cores), gemm backend ${env.gemmBackend}, ${env.multiplyAdd} multiply-add`);
  console.log(`threads: 1 and ${ctx.threads} (SPLITSCAPE_THREADS or the cores); median of ${ctx.runs} runs, ours and the reference side by side`);
  console.log(`reference: ${env.reference}, run as \`${env.referenceEnvironment}\``);
  console.log(`load average before: ${env.loadAverageBefore.join(", ")}`);
  const all: Row[] = [];
  for (const w of selected) {
    console.log(`\n== ${w.name}: ${w.description}`);
    const rows = await w.run(ctx);
    console.log(formatTable(rows));
    all.push(...rows);
  }
  env.loadAverageAfter = loadavg().map((x) => Number(x.toFixed(2)));
  const headline = all.filter((r) => r.headline !== undefined);
  if (headline.length > 0) {
    console.log("\n== issue 22: headline rows and goals");
    console.log(formatTable(headline));
  }
  console.log(`\nload average after: ${env.loadAverageAfter.join(", ")}`);
  const out = join(process.cwd(), "bench-results", "latest.json");
  writeFileAtomic(out, JSON.stringify({ env, rows: all }, null, 2) + "\n");
  console.log(`wrote ${out}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
