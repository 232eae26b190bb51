// Benchmark driver: `npm run bench` (all workloads) or `npm run bench -- gemm eig` (by name).
// Each workload (see harness.ts) returns rows; the driver prints them as they come, then a
// summary table, and writes the rows as JSON to bench-results/latest.json.
//
// To add a workload: export a `Workload` from its own bench/<name>.ts and list it below.
import { arch, cpus, platform } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeFileAtomic } from "../src/common/atomic.js";
import { gemmBackend } from "../src/linalg/index.js";
import { convexWorkload } from "./convex.js";
import { eigWorkload } from "./eig.js";
import { gemmCrossoverWorkload, gemmWorkload } from "./gemm.js";
import type { Row, Workload } from "./harness.js";
import { modelHessianWorkload, modelStepWorkload } from "./model.js";
import { numpyInfo } from "./numpy.js";
import { queueWorkload } from "./queue.js";

export type { Row, Workload } from "./harness.js";

/** All registered workloads, in run order. */
export const WORKLOADS: Workload[] = [
  gemmWorkload,
  gemmCrossoverWorkload,
  eigWorkload,
  modelStepWorkload,
  modelHessianWorkload,
  convexWorkload,
  queueWorkload,
];

function fmt(x: number | null, digits: number): string {
  return x === null ? "—" : x.toFixed(digits);
}

/** Fixed-width table: workload | case | ms | GFLOP/s | ref GFLOP/s (or ms) | ratio. */
export function formatTable(rows: Row[]): string {
  const head = ["workload", "case", "time ms", "GFLOP/s", "ref GFLOP/s", "ref ms", "ratio"];
  const body = rows.map((r) => [
    r.workload,
    r.case,
    r.seconds * 1e3 >= 1 ? fmt(r.seconds * 1e3, 3) : (r.seconds * 1e3).toPrecision(3),
    fmt(r.gflops, 2),
    fmt(r.reference?.gflops ?? null, 2),
    r.reference === null ? "—"
      : r.reference.seconds * 1e3 >= 1 ? fmt(r.reference.seconds * 1e3, 3) : (r.reference.seconds * 1e3).toPrecision(3),
    fmt(r.ratio, 3) + (r.note !== undefined ? `  (${r.note})` : ""),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  ").trimEnd();
  return [line(head), width.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

export async function main(argv: string[]): Promise<void> {
  const wanted = argv.filter((a) => !a.startsWith("-"));
  const unknown = wanted.filter((w) => !WORKLOADS.some((x) => x.name === w));
  if (unknown.length > 0) {
    console.error(`bench: unknown workload(s) ${unknown.join(", ")}; known: ${WORKLOADS.map((w) => w.name).join(", ")}`);
    process.exitCode = 2;
    return;
  }
  const selected = wanted.length === 0 ? WORKLOADS : WORKLOADS.filter((w) => wanted.includes(w.name));
  const np = numpyInfo();
  const env = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cpu: cpus()[0]?.model ?? "unknown",
    gemmBackend: gemmBackend(),
    reference: np ?? "python3/numpy unavailable (ratios skipped)",
  };
  console.log(`splitscape bench — node ${env.node}, ${env.cpu}, gemm backend ${env.gemmBackend}`);
  console.log(`reference: ${env.reference}, single-threaded (OPENBLAS/OMP/MKL_NUM_THREADS=1)`);
  const all: Row[] = [];
  for (const w of selected) {
    console.log(`\n== ${w.name}: ${w.description}`);
    const rows = await w.run();
    console.log(formatTable(rows));
    all.push(...rows);
  }
  console.log("\n== summary");
  console.log(formatTable(all));
  const out = join(process.cwd(), "bench-results", "latest.json");
  writeFileAtomic(out, JSON.stringify({ env, rows: all }, null, 2) + "\n");
  console.log(`\nwrote ${out}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
