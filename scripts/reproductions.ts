// The record of the full reproductions, docs/reproductions.json (src/reproduce/record.ts), written
// from real full runs only:
//
//     npx tsx scripts/reproductions.ts run [ID …]      (default: every reproduction)
//
// Each full run goes into a scratch run folder; its claims, wall time and verdict are merged into
// the record (runs of other ids are kept) after every run, and its figures' PNGs are copied to
// docs/reproductions/<id with / → ->-<figure>.png. The environment of the last run is recorded.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stamped, writeFileAtomic } from "../src/common/index.js";
import { currentEnvironment, toJsonText } from "../src/experiments/index.js";
import { listReproductions, packageRoot, readRecord, recordPath, runReproduction, type RecordedRun, type RunRecord } from "../src/reproduce/index.js";

async function main(args: string[]): Promise<void> {
  if (args[0] !== "run") throw new Error("usage: npx tsx scripts/reproductions.ts run [ID …]");
  const ids = args.length > 1 ? args.slice(1) : listReproductions().map((r) => r.id);
  const scratch = mkdtempSync(join(tmpdir(), "splitscape-reproductions-"));
  const figDir = join(packageRoot(), "docs", "reproductions");
  mkdirSync(figDir, { recursive: true });
  for (const id of ids) {
    const r = listReproductions().find((x) => x.id === id);
    if (!r) throw new Error(`unknown reproduction ${id}`);
    process.stderr.write(`${id}: full run …\n`);
    const o = await runReproduction(id, { outDir: scratch, log: (m) => process.stderr.write(`  ${m}\n`) });
    const figures: string[] = [];
    for (const f of r.figures(o.result, false)) {
      const src = join(o.dir, "figures", `${f.name}.png`);
      if (!existsSync(src)) continue;
      const name = `${id.replace("/", "-")}-${f.name}.png`;
      copyFileSync(src, join(figDir, name));
      figures.push(`docs/reproductions/${name}`);
    }
    const run: RecordedRun = {
      id, paper: r.paper, figure: r.figure, seconds: Math.round(o.seconds * 10) / 10, pass: o.pass,
      claims: o.result.claims.map(({ name, published, ours, tolerance, rule, pass }) => ({ name, published, ours, tolerance, rule, pass })),
      figures,
    };
    const old: RunRecord = readRecord() ?? { environment: {}, runs: [] };
    const runs = [...old.runs.filter((x) => x.id !== id), run].sort((a, b) => (a.id < b.id ? -1 : 1));
    const environment = { ...currentEnvironment(), note: "full runs, one after another, on this machine while it was shared with other work: times are wall-clock and noisy" };
    writeFileAtomic(recordPath(), toJsonText(stamped("reproduction-record", { environment, runs })));
    process.stderr.write(`${id}: ${o.pass ? "pass" : "FAIL"} in ${o.seconds.toFixed(1)} s (${o.dir})\n`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
