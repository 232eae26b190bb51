// The queue's faults, each on a real redis-server (append-only file on) with worker processes of
// the built CLI: a worker SIGKILLed mid-cell, a worker stopped by SIGTERM (handing back, or
// finishing), the submitter SIGKILLed and started again, and Redis restarted under a sweep.
// Every case ends with the sweep folder holding each cell exactly once, complete.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  checkFreshBuild, killAll, queueSuitePrerequisites, removeFolder, runSplitscape, splitscape, startRedis, startsPerCell, startWorkerProcess,
  waitUntil, type CliProcess, type RedisServer,
} from "./harness.js";

const pre = queueSuitePrerequisites("test/queue/faults.test.ts");

const scratch = mkdtempSync(join(tmpdir(), "splitscape-queue-faults-"));
let redis: RedisServer;
let processes: CliProcess[] = [];

/** A cell that computes for a few seconds (a gradient-flow integration): long enough to be killed mid-cell. */
const LONG_CELLS = (seeds: number[]): string => `kind: network-check\nparams: { n: 20, width: 4, tEnd: 5, h: 0.001 }\ngrid: { seed: [${seeds.join(", ")}] }\n`;
/** Cells of about a second each (a shorter integration): with one worker at concurrency 1, the
 * submitter killed right after the first cell is collected leaves several cells unfinished. */
const SECOND_CELLS = (seeds: number[]): string => `kind: network-check\nparams: { n: 20, width: 4, tEnd: 1, h: 0.001 }\ngrid: { seed: [${seeds.join(", ")}] }\n`;
/** Quick cells. */
const QUICK_CELLS = (seeds: number[]): string => `kind: linalg-check\nparams: { sizes: [24], n: 32 }\ngrid: { seed: [${seeds.join(", ")}] }\n`;

function specFile(name: string, text: string): string {
  const p = join(scratch, name);
  writeFileSync(p, text);
  return p;
}

function track<T extends CliProcess>(p: T): T {
  processes.push(p);
  return p;
}

/** The sweep folder named on the submitter's plan line. */
function folderOf(submitter: CliProcess): string {
  return /→ (\S+)\n/.exec(submitter.stderr())![1];
}

/** Cells of a sweep folder that are complete. */
function completeCells(folder: string): string[] {
  const cells = join(folder, "cells");
  if (!existsSync(cells)) return [];
  return readdirSync(cells).filter((c) => existsSync(join(cells, c, "result.json")) && !existsSync(join(cells, c, "INCOMPLETE")));
}

/** The sweep finished: every grid cell once in cells/, complete, in the summary, all passing. */
function expectEveryCellOnce(folder: string, cells: number): void {
  expect(existsSync(join(folder, "INCOMPLETE")), "the sweep folder is complete").toBe(false);
  const dirs = readdirSync(join(folder, "cells"));
  expect(dirs).toHaveLength(cells);
  expect(completeCells(folder).sort()).toEqual([...dirs].sort());
  const summary = JSON.parse(readFileSync(join(folder, "summary.json"), "utf8")) as { rows: { cell: string; status: string; pass: boolean }[] };
  expect(summary.rows.map((r) => r.cell).sort()).toEqual([...dirs].sort());
  expect(summary.rows.every((r) => r.pass && r.status !== "failed")).toBe(true);
}

describe.runIf(pre.ok)("queue faults (real redis-server with its append-only file, worker processes)", () => {
  beforeAll(async () => {
    checkFreshBuild();
    redis = await startRedis({ appendonly: true });
  });
  afterEach(async () => {
    await killAll(processes);
    processes = [];
  });
  afterAll(async () => {
    await redis?.stop();
    removeFolder(scratch);
    if (redis !== undefined) removeFolder(redis.dir);
  });

  it("a worker SIGKILLed mid-cell: another worker runs the cell after the stall interval; every cell once", async () => {
    const url = `${redis.url}/1`;
    const workers = [track(startWorkerProcess(url, ["--stall-seconds", "2"])), track(startWorkerProcess(url, ["--stall-seconds", "2"]))];
    for (const w of workers) await w.waitForErr(/pulling cells from/, "a worker");
    const submitter = track(splitscape(["sweep", specFile("kill-worker.yaml", LONG_CELLS([1, 2])), "--queue", url, "-o", join(scratch, "kill-worker")]));
    const victim = await waitUntil(() => workers.find((w) => / started \(/.test(w.stderr())), "a cell to start");
    const survivor = workers.find((w) => w !== victim)!;
    victim.child.kill("SIGKILL");
    const killedAt = Date.now();
    expect((await victim.exit).signal).toBe("SIGKILL");
    expect(victim.stderr()).not.toMatch(/ done in /); // it was killed mid-cell
    const killedCell = [...startsPerCell([victim.stderr()]).keys()];
    expect(killedCell).toHaveLength(1);
    const end = await submitter.exit;
    expect(end.code, submitter.stderr()).toBe(0);
    expect(Date.now() - killedAt).toBeGreaterThan(2000); // not before the killed worker's lock (2 s) expired
    expect(survivor.stderr()).toMatch(new RegExp(`cell \\S+\\.${killedCell[0]}\\.\\S+ stalled \\(the worker running it stopped answering\\); it is back in the queue`));
    const starts = startsPerCell([victim.stderr(), survivor.stderr()]);
    expect(starts.get(killedCell[0])).toBe(2); // once on the killed worker, once on the survivor
    expect(startsPerCell([survivor.stderr()]).size).toBe(2);
    expectEveryCellOnce(folderOf(submitter), 2);
    expect(submitter.stdout()).toContain("2 cells: 2 run, 0 reused, 0 failed");
  }, 600_000);

  it("SIGTERM: a worker with no grace hands its cell back at once (exit 0); one with grace finishes it, then stops (exit 0)", async () => {
    const url = `${redis.url}/2`;
    const quick = track(startWorkerProcess(url, ["--grace-seconds", "0"]));
    await quick.waitForErr(/pulling cells from/, "the first worker");
    const submitter = track(splitscape(["sweep", specFile("sigterm.yaml", LONG_CELLS([7])), "--queue", url, "-o", join(scratch, "sigterm")]));
    await quick.waitForErr(/cell \S+ started/, "the cell to start");
    quick.child.kill("SIGTERM");
    expect((await quick.exit).code).toBe(0);
    expect(quick.stderr()).toMatch(/handed back to the queue \(stopping\)[^]*stopped: 0 done, 0 failed, 0 refused, 1 handed back/);
    const patient = track(startWorkerProcess(url, ["--grace-seconds", "600"]));
    await patient.waitForErr(/cell \S+ started/, "the cell to start again");
    patient.child.kill("SIGTERM");
    expect((await patient.exit).code).toBe(0);
    expect(patient.stderr()).toMatch(/SIGTERM: stopping[^]*cell \S+ done in [^]*stopped: 1 done, 0 failed, 0 refused, 0 handed back/);
    const end = await submitter.exit;
    expect(end.code, submitter.stderr()).toBe(0);
    expectEveryCellOnce(folderOf(submitter), 1);
  }, 600_000);

  it("the submitter SIGKILLed and started again: it collects what finished meanwhile; nothing that finished runs twice", async () => {
    const url = `${redis.url}/3`;
    const worker = track(startWorkerProcess(url, ["--stall-seconds", "5"]));
    await worker.waitForErr(/pulling cells from/, "the worker");
    const spec = specFile("restart.yaml", SECOND_CELLS([31, 32, 33, 34, 35, 36]));
    const out = join(scratch, "restart");
    const first = track(splitscape(["sweep", spec, "--queue", url, "-o", out]));
    await first.waitForErr(/6 to run through/, "the plan line");
    const folder = folderOf(first);
    await waitUntil(() => completeCells(folder).length >= 1, "a first cell to be collected");
    first.child.kill("SIGKILL");
    await first.exit;
    const collectedBefore = completeCells(folder).length;
    expect(collectedBefore).toBeLessThan(6);
    await waitUntil(() => (worker.stderr().match(/ done in /g) ?? []).length === 6, "the worker to finish every cell");
    const second = await runSplitscape(["sweep", spec, "--queue", url, "-o", out]);
    expect(second.code, second.err).toBe(0);
    expect(second.err).toContain(`6 cells, ${collectedBefore} already finished, ${6 - collectedBefore} to run through`);
    expect(second.err).toContain(`${6 - collectedBefore} of them already in the queue`);
    expect(second.out).toContain(`6 cells: ${6 - collectedBefore} run, ${collectedBefore} reused, 0 failed`);
    expect([...startsPerCell([worker.stderr()]).values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expectEveryCellOnce(folder, 6);
  }, 600_000);

  it("Redis restarted under a running sweep (append-only file on): submitter and workers reconnect and the sweep completes", async () => {
    const url = `${redis.url}/4`;
    const workers = [track(startWorkerProcess(url)), track(startWorkerProcess(url))];
    for (const w of workers) await w.waitForErr(/pulling cells from/, "a worker");
    const submitter = track(splitscape(["sweep", specFile("redis-restart.yaml", QUICK_CELLS([41, 42, 43, 44, 45, 46, 47, 48])), "--queue", url, "-o", join(scratch, "redis-restart")]));
    await submitter.waitForErr(/8 to run through/, "the plan line");
    const folder = folderOf(submitter);
    await waitUntil(() => completeCells(folder).length >= 1, "a first cell to be collected");
    await redis.stop();
    await submitter.waitForErr(/lost the Redis server at redis:\/\/127\.0\.0\.1:\d+\/4: /, "the submitter to notice");
    await redis.start();
    const end = await submitter.exit;
    expect(end.code, submitter.stderr()).toBe(0);
    expect(submitter.stderr()).toMatch(/reconnected to redis:\/\/127\.0\.0\.1:\d+\/4/);
    expectEveryCellOnce(folder, 8);
    expect(submitter.stdout()).toContain("8 cells: 8 run, 0 reused, 0 failed");
  }, 600_000);
});
