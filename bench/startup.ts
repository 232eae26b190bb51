// CLI start-up: wall time of `splitscape --version`, `--help` and `data info FILE` (the built
// bin/splitscape.js, as an installed package runs it) against a bare `node -e 0`, measured side
// by side round by round (median of ≥ 5 rounds). Goal of issue 17: within 150 ms of node.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBuiltin, saveDataset } from "../src/data/index.js";
import { makeRow, median, sideBySide, type BenchContext, type Row, type Workload } from "./harness.js";

const root = new URL("..", import.meta.url).pathname;
const GOAL_SECONDS = 0.15;

/** Wall seconds of one `node args…` process (it must exit 0). */
function processSeconds(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
  const dt = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr.toString()}`);
  return dt;
}

export const startupWorkload: Workload = {
  name: "startup",
  description: "CLI start-up (--version, --help, data info) vs a bare `node -e 0`, side by side",
  async run(ctx: BenchContext): Promise<Row[]> {
    const dir = mkdtempSync(join(tmpdir(), "splitscape-startup-"));
    const file = join(dir, "blobs.json");
    saveDataset(makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1"), file);
    const runs = Math.max(5, ctx.runs);
    const bin = join(root, "bin", "splitscape.js");
    const rows: Row[] = [];
    try {
      for (const [label, args] of [["--version", ["--version"]], ["--help", ["--help"]], ["data info FILE", ["data", "info", file]]] as const) {
        processSeconds([bin, ...args]); // warm the file cache
        const { ours, ref } = sideBySide(runs, () => processSeconds([bin, ...args]), () => processSeconds(["-e", "0"]));
        const nodeSeconds = median(ref!);
        const row = makeRow({
          workload: "startup", case: `splitscape ${label}`, threads: null, runs: ours,
          reference: { name: "node -e 0", runs: ref },
          note: `${((median(ours) - nodeSeconds) * 1e3).toFixed(0)} ms over node`,
          headline: label === "--help" ? "CLI start-up (--help)" : undefined,
        });
        // ours ≤ node + 150 ms  ⟺  ratio = t_node/t_ours ≥ t_node/(t_node + 150 ms)
        row.goal = { ratio: nodeSeconds / (nodeSeconds + GOAL_SECONDS), text: "≤ 150 ms over node -e 0", met: row.seconds - nodeSeconds <= GOAL_SECONDS };
        rows.push(row);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
