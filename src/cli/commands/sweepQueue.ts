import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import { InputError } from "../../common/index.js";
import { checkOutputFolder } from "../../common/outputPath.js";
import type { QueueAddress, QueueProgress, QueueStatus } from "../../experiments/queue/index.js";
import { withInterrupt } from "../interrupt.js";
import { parseIntOption, printJson, printLines } from "../io.js";
import { loadExperiments } from "../lazy.js";
import { parseMaxCells, printSweepOutcome, type SweepCommandOptions } from "./sweepCommon.js";

/**
 * The queue half of `splitscape sweep`: `SPEC --queue URL` (submit, wait with a progress bar,
 * collect), `--status URL [SWEEP]` and `--cancel URL SWEEP`. The queue room (and with it
 * BullMQ and ioredis) is imported only here.
 */

/** The defaults of the queue options, written once (help text and behaviour). */
export const QUEUE_DEFAULTS = { attempts: 3 } as const;

/** The queue room, imported on first use. */
export function loadQueue(): Promise<typeof import("../../experiments/queue/index.js")> {
  return import("../../experiments/queue/index.js");
}

/** A line on stderr (never with --json, whose stdout is one object; stderr stays for notes). */
function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** `sweep SPEC --queue URL`. */
export async function queuedSweepCommand(specPath: string, opts: SweepCommandOptions): Promise<void> {
  if (opts.workers !== undefined) throw new InputError("--workers", "is for local sweeps; with --queue the cells run on `splitscape worker` processes (their --concurrency)");
  const { parseQueueUrl, runQueuedSweep } = await loadQueue();
  const address = parseQueueUrl(opts.queue!, "--queue");
  const attempts = parseIntOption("--attempts", opts.attempts, 1, 100) ?? QUEUE_DEFAULTS.attempts;
  const { loadSpec } = await loadExperiments();
  const loaded = loadSpec(specPath);
  const maxCells = parseMaxCells(opts);
  checkOutputFolder(opts.dir ?? opts.out, opts.dir !== undefined ? "--dir" : "-o/--out");
  const bars = !opts.json && opts.progress !== false && process.stderr.isTTY === true ? new QueueBars() : null;
  let sweepName = "";
  const o = await withInterrupt((signal) => runQueuedSweep(loaded, {
    address,
    outDir: opts.out,
    dir: opts.dir,
    maxCells,
    attempts,
    signal,
    onPlan: (p) => {
      sweepName = p.sweep;
      if (!opts.json) {
        const queued = p.alreadyQueued > 0 ? `, ${p.alreadyQueued} of them already in the queue` : "";
        note(`sweep ${loaded.spec.kind}: ${p.total} cells, ${p.reused} already finished, ${p.toRun} to run through ${address.display}${queued} (sweep ${p.sweep}) → ${p.dir}`);
      }
      bars?.start(p.toRun);
    },
    onProgress: (p) => bars?.update(p),
    onNotice: (message) => (bars ? bars.log(message) : note(`splitscape: ${message}`)),
  })).finally(() => bars?.stop());
  printSweepOutcome(loaded, o, opts.json === true, { sweep: sweepName, queue: address.display });
}

/**
 * The progress of a queued sweep on stderr: one bar for the sweep (done / failed / running /
 * waiting) and one line per worker that ran or runs its cells.
 */
class QueueBars {
  private readonly multi = new MultiBar({ stream: process.stderr, hideCursor: true, clearOnComplete: false, format: "{label}" }, Presets.shades_classic);
  private main: SingleBar | null = null;
  private readonly workers = new Map<string, SingleBar>();

  start(total: number): void {
    this.main = this.multi.create(total, 0, { failed: 0, running: 0, waiting: total }, {
      format: "queue |{bar}| {value}/{total} cells · {failed} failed · {running} running · {waiting} waiting",
    });
  }

  update(p: QueueProgress): void {
    this.main?.update(p.done + p.failed, { failed: p.failed, running: p.running, waiting: p.waiting });
    for (const w of p.workers) {
      const label = `  ${w.name}: ${w.done} done · ${w.failed} failed · ${w.running} running`;
      const bar = this.workers.get(w.name);
      if (bar === undefined) this.workers.set(w.name, this.multi.create(1, 0, { label }));
      else bar.update(0, { label });
    }
  }

  log(message: string): void {
    this.multi.log(`splitscape: ${message}\n`);
  }

  stop(): void {
    this.multi.stop();
  }
}

/** The sweep name an argument stands for: a name, a spec file, or a sweep folder. */
async function resolveSweepName(arg: string): Promise<string> {
  const { loadSpec, validateSpec, readRunJson } = await loadExperiments();
  const { sweepFolderName } = await import("../../experiments/sweep.js");
  if (existsSync(arg) && statSync(arg).isDirectory()) {
    const record = readRunJson<{ spec?: Record<string, unknown>; grid?: unknown }>(arg, "sweep.json");
    if (record?.spec === undefined) throw new InputError(arg, "not a sweep folder (no sweep.json); give the sweep's name, spec file or folder");
    const { splitscape: _version, ...spec } = record.spec;
    return sweepFolderName(validateSpec({ ...spec, grid: record.grid }, join(arg, "sweep.json")));
  }
  if (existsSync(arg)) return sweepFolderName(loadSpec(arg));
  if (!/^sweep-[A-Za-z0-9_-]+-[0-9a-f]{8}$/.test(arg)) throw new InputError(arg, "not a sweep name (sweep-<kind>-<hash>), a spec file or a sweep folder");
  return arg;
}

/** `sweep --status URL [SWEEP]` and `sweep --cancel URL SWEEP`. */
export async function queueAdminCommand(arg: string | undefined, opts: SweepCommandOptions): Promise<void> {
  if (opts.status !== undefined && opts.cancel !== undefined) throw new InputError("--cancel", "give --status or --cancel, not both");
  for (const [flag, given] of [["--queue", opts.queue], ["--workers", opts.workers], ["--attempts", opts.attempts], ["--dir", opts.dir], ["--max-cells", opts.maxCells]] as const) {
    if (given !== undefined) throw new InputError(flag, `does not apply to ${opts.status !== undefined ? "--status" : "--cancel"}`);
  }
  const { parseQueueUrl, queueStatus, cancelSweep } = await loadQueue();
  if (opts.cancel !== undefined) {
    const address = parseQueueUrl(opts.cancel, "--cancel");
    if (arg === undefined) throw new InputError("--cancel", "which sweep? give its name (sweep-<kind>-<hash>), spec file or folder: splitscape sweep --cancel URL SWEEP");
    const c = await cancelSweep(address, await resolveSweepName(arg));
    if (opts.json) return printJson({ queue: address.display, ...c });
    printLines(`cancelled ${c.sweep} in ${address.display}: removed ${c.removed} cells that had not started; ${c.running} running cells finish on their workers; ${c.kept} finished cells kept (submitting the sweep again collects them)`);
    return;
  }
  const address = parseQueueUrl(opts.status!, "--status");
  const s = await queueStatus(address, arg === undefined ? undefined : await resolveSweepName(arg));
  if (opts.json) return printJson(s);
  printLines(...statusLines(s, address));
}

/** `sweep --status` for people. */
function statusLines(s: QueueStatus, address: QueueAddress): string[] {
  const lines = [`queue ${address.display} (Redis ${s.redisVersion}): ${s.workers.length} worker${s.workers.length === 1 ? "" : "s"} connected`];
  for (const w of s.workers) lines.push(`  ${w.name}`);
  if (s.sweeps.length === 0) lines.push("no sweeps");
  for (const sw of s.sweeps) {
    const c = sw.counts;
    lines.push(
      "",
      `${sw.sweep}: ${sw.kind}, ${sw.cells} cells, ${sw.status} (splitscape ${sw.version}; submitted ${sw.submitted} by ${sw.submitter} into ${sw.folder})`,
      `  collected ${c.collected} · finished ${c.finished} · failed ${c.failed} · running ${c.running} · queued ${c.queued} · delayed ${c.delayed} · missing ${c.missing}`,
    );
    for (const r of sw.running) lines.push(`  running: cell ${r.cell} on ${r.worker ?? "an unknown worker"}`);
    for (const r of sw.refusals) lines.push(`  refused by ${r.worker}: ${r.why}`);
  }
  return lines;
}
