// Sweeps through a real Redis with worker processes of the built CLI: a queued sweep writes the
// same folder as a local sweep (byte for byte apart from timings), a deterministically failing
// cell is retried a bounded number of times and then recorded, `--status` and `--cancel`, and
// a worker of another splitscape version refuses the cells (and the submitter says so).
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";
import {
  checkFreshBuild, filesUnder, killAll, queueSuitePrerequisites, removeFolder, repo, runSplitscape, splitscape, startRedis, startsPerCell, startWorkerProcess,
  waitUntil, withoutTimings, type CliProcess, type RedisServer,
} from "./harness.js";

const pre = queueSuitePrerequisites("test/queue/sweep.test.ts");

const scratch = mkdtempSync(join(tmpdir(), "splitscape-queue-sweep-"));
let redis: RedisServer;
const started: CliProcess[] = [];

/** Six quick cells over two axes (summary figures are drawn). */
const GRID_SPEC = "kind: linalg-check\nparams: { sizes: [4], n: 16 }\ngrid: { n: [16, 17], seed: [1, 2, 3] }\n";
/** Two cells, the second of which throws every time (x has 5 entries, y has 3). */
const FAILING_SPEC = "kind: convex-certificate\nparams: { seeds: 1, steps: 200, width: 4, x: [-1, -0.5, 0, 0.5, 1] }\ngrid: { y: [[0.1, -0.2, 0.3, 0.1, 0.5], [1, 2, 3]] }\n";

function specFile(name: string, text: string): string {
  const p = join(scratch, name);
  writeFileSync(p, text);
  return p;
}

describe.runIf(pre.ok)("sweeps through a Redis queue (real redis-server, worker processes)", () => {
  beforeAll(async () => {
    checkFreshBuild();
    redis = await startRedis();
  });
  afterAll(async () => {
    await killAll(started);
    await redis?.stop();
    removeFolder(scratch);
    if (redis !== undefined) removeFolder(redis.dir);
  });

  it("a queued sweep writes the same files as a local sweep (apart from timings); a failing cell is tried --attempts times, recorded, and named (exit 1)", async () => {
    const workers = [startWorkerProcess(redis.url), startWorkerProcess(redis.url)];
    started.push(...workers);
    const queuedRuns: Record<string, Awaited<ReturnType<typeof runSplitscape>>> = {};
    for (const [name, text, attempts] of [["grid.yaml", GRID_SPEC, 3], ["failing.yaml", FAILING_SPEC, 2]] as const) {
      const spec = specFile(name, text);
      const local = await runSplitscape(["sweep", spec, "-o", join(scratch, "local")]);
      const queued = await runSplitscape(["sweep", spec, "--queue", redis.url, "--attempts", String(attempts), "-o", join(scratch, "queued")]);
      queuedRuns[name] = queued;
      expect(queued.code, queued.err).toBe(local.code);
      expect(queued.out).toBe(local.out.replaceAll(join(scratch, "local"), join(scratch, "queued")));
      const folder = /summary: (.*)\/summary\.csv/.exec(local.out)![1].replace(join(scratch, "local"), "");
      const a = join(scratch, "local", folder);
      const b = join(scratch, "queued", folder);
      expect(filesUnder(b)).toEqual(filesUnder(a));
      for (const f of filesUnder(a)) expect(withoutTimings(join(b, f)), f).toBe(withoutTimings(join(a, f)));
    }
    // The failing sweep: exit 1, the cell named with its error, tried exactly twice across the workers.
    const failing = queuedRuns["failing.yaml"];
    expect(failing.code).toBe(1);
    const failedCell = /failed: cell ([0-9a-f]{8}) \(seed = 0, y = \[1,2,3\]\): convex-certificate: x has 5 entries, y has 3\n/.exec(failing.out)?.[1];
    expect(failedCell, failing.out).toBeDefined();
    const tries = startsPerCell(workers.map((w) => w.stderr()));
    expect(tries.get(failedCell!)).toBe(2);
    expect([...tries.values()].reduce((a, b) => a + b, 0)).toBe(6 + 1 + 2); // every other cell once
  }, 600_000);

  it("--status shows where the cells are; --cancel removes the cells that have not started and stops the submitter (130); submitting again finishes the sweep", async () => {
    const spec = specFile("cancel.yaml", "kind: linalg-check\nparams: { sizes: [4], n: 16 }\ngrid: { seed: [11, 12, 13, 14] }\n");
    const out = join(scratch, "cancel");
    // No worker takes cells from this database: the sweep waits.
    const url = `${redis.url}/3`;
    const submitter = splitscape(["sweep", spec, "--queue", url, "-o", out]);
    started.push(submitter);
    await submitter.waitForErr(/4 to run through/, "the plan line");
    const name = /\(sweep (sweep-linalg-check-[0-9a-f]{8})\)/.exec(submitter.stderr())![1];
    const status = await runSplitscape(["sweep", "--status", url, name, "--json"]);
    expect(status.code, status.err).toBe(0);
    const s = JSON.parse(status.out) as { sweeps: { sweep: string; status: string; cells: number; counts: Record<string, number> }[] };
    expect(s.sweeps).toHaveLength(1);
    expect(s.sweeps[0]).toMatchObject({ sweep: name, status: "running", cells: 4, counts: { collected: 0, queued: 4, running: 0, missing: 0 } });
    const human = await runSplitscape(["sweep", "--status", url]);
    expect(human.out).toMatch(new RegExp(`${name}: linalg-check, 4 cells, running`));
    expect(human.out).toContain("collected 0 · finished 0 · failed 0 · running 0 · queued 4");

    const cancel = await runSplitscape(["sweep", "--cancel", url, spec]);
    expect(cancel.code, cancel.err).toBe(0);
    expect(cancel.out).toContain(`cancelled ${name} in ${redis.plainUrl}/3: removed 4 cells that had not started`);
    const ended = await submitter.exit;
    expect(ended.code).toBe(130);
    expect(submitter.stderr()).toMatch(/the sweep was cancelled \(splitscape sweep --cancel\)/);
    expect(readFileSync(join(out, name, "INCOMPLETE"), "utf8")).toMatch(/^cancelled \(splitscape sweep --cancel\) at .*: 0 of 4 cells finished/);
    const after = JSON.parse((await runSplitscape(["sweep", "--status", url, name, "--json"])).out) as typeof s;
    expect(after.sweeps[0]).toMatchObject({ status: "cancelled", counts: { queued: 0, missing: 4 } });

    const worker = startWorkerProcess(url);
    started.push(worker);
    const again = await runSplitscape(["sweep", spec, "--queue", url, "-o", out]);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toContain("4 cells: 4 run, 0 reused, 0 failed");
    const unknown = await runSplitscape(["sweep", "--status", url, "sweep-nothing-0123abcd"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^splitscape: sweep-nothing-0123abcd: no such sweep in the queue at redis:\/\/127\.0\.0\.1:\d+\/3 \(its sweeps: sweep-linalg-check-/);
  }, 600_000);

  it("a worker of another splitscape version refuses the cells, and the submitter says so; a worker of the same version runs them", async () => {
    // A real install of another version: the built package with dist/version.js changed.
    const other = join(scratch, "other-version");
    cpSync(join(repo, "dist"), join(other, "dist"), { recursive: true });
    cpSync(join(repo, "bin"), join(other, "bin"), { recursive: true });
    cpSync(join(repo, "package.json"), join(other, "package.json"));
    symlinkSync(join(repo, "node_modules"), join(other, "node_modules"));
    const versionFile = join(other, "dist", "version.js");
    writeFileSync(versionFile, readFileSync(versionFile, "utf8").replace(/VERSION = "[^"]+"/, 'VERSION = "0.0.1-old"'));
    const url = `${redis.url}/4`;
    const old = startWorkerProcess(url, [], { binary: join(other, "bin", "splitscape.js") });
    started.push(old);
    await old.waitForErr(/pulling cells from/, "the old worker to start");
    const spec = specFile("versions.yaml", "kind: linalg-check\nparams: { sizes: [4], n: 16 }\ngrid: { seed: [21, 22] }\n");
    const submitter = splitscape(["sweep", spec, "--queue", url, "-o", join(scratch, "versions")]);
    started.push(submitter);
    await submitter.waitForErr(/refuses this sweep's cells/, "the submitter to report the refusal");
    expect(submitter.stderr()).toContain(`refuses this sweep's cells: it runs splitscape 0.0.1-old, the sweep was submitted with splitscape ${VERSION}; run the same version on every machine`);
    expect(submitter.stderr()).toMatch(/splitscape: worker \S+\/splitscape@0\.0\.1-old refuses/);
    expect(old.stderr()).toMatch(/refusing the cells of sweep-linalg-check-[0-9a-f]{8}: it runs splitscape 0\.0\.1-old/);
    const current = startWorkerProcess(url);
    started.push(current);
    const end = await submitter.exit;
    expect(end.code, submitter.stderr()).toBe(0);
    expect(submitter.stdout()).toContain("2 cells: 2 run, 0 reused, 0 failed");
    expect(old.stderr()).not.toMatch(/ started \(/);
    await waitUntil(() => existsSync(join(scratch, "versions")), "the sweep folder");
  }, 600_000);
});
