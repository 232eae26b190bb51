import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FAMILIES, experimentsOfFamily, runTour, type FamilyId } from "../../src/experiments/index.js";
import { loadingUrls } from "../report/urls.js";
import { runCli as cli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-cli-exp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe("run, report, sweep, tour commands", () => {

  it("run --list shows the kinds; run SPEC writes a folder and prints the verdict table", async () => {
    const list = await cli("run", "--list", "--json");
    expect(JSON.parse(list.out).kinds.map((k: { kind: string }) => k.kind)).toContain("linalg-check");
    const spec = write("lc.yaml", "kind: linalg-check\nseed: 4\nparams:\n  sizes: [4, 16]\n  n: 16\n");
    const human = await cli("run", spec, "-o", join(dir, "runs"));
    expect(human.code).toBe(0);
    expect(human.out).toContain("PASS");
    expect(human.out).toMatch(/report: .*report\.html/);
    const json = await cli("run", spec, "-o", join(dir, "runs"), "--json");
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out);
    expect(doc).toMatchObject({ kind: "linalg-check", status: "complete", pass: true });
    expect(existsSync(doc.report)).toBe(true);

    const rep = await cli("report", doc.dir, "--json");
    expect(rep.code).toBe(0);
    expect(JSON.parse(rep.out)).toMatchObject({ pass: true, incomplete: false });
  });

  it("bad specs exit 2 with the file and field; a grid spec is refused by run", async () => {
    const bad = await cli("run", write("bad.json", JSON.stringify({ kind: "linalg-check", params: { n: "x" } })));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad\.json: params\.n: expected an integer in \[16, 200\], got "x"/);
    const grid = await cli("run", write("grid.yaml", "kind: linalg-check\ngrid:\n  n: [16, 17]\n"));
    expect(grid.code).toBe(2);
    expect(grid.err).toContain("grid: this spec declares a grid; run it with `splitscape sweep`");
    const missing = await cli("report", join(dir, "nowhere"));
    expect(missing.code).toBe(2);
  });

  it("sweep --json runs the grid and reports the summary files", async () => {
    const spec = write("sw.yaml", "kind: linalg-check\nparams:\n  sizes: [4]\n  n: 16\ngrid:\n  n: [16, 17]\n  seed: [1, 2]\n");
    const r = await cli("sweep", spec, "-o", join(dir, "runs"), "--json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ cells: 4, ran: 4, reused: 0, failed: 0, pass: true });
    expect(existsSync(doc.summary)).toBe(true);
    const again = JSON.parse((await cli("sweep", spec, "-o", join(dir, "runs"), "--json")).out);
    expect(again).toMatchObject({ ran: 0, reused: 4 });
    const human = await cli("sweep", spec, "-o", join(dir, "runs"));
    expect(human.out).toContain("4 cells: 0 run, 4 reused, 0 failed");
  });

  /** The whole tour takes ~7 s on an idle machine, over 60 s on a loaded 2-core one: no timing is tested here. */
  const TOUR_TIMEOUT_MS = 300_000;

  /** Families with a registered headline experiment run in the tour; the others are "not available". */
  const headliners = (family: string) => experimentsOfFamily(family as FamilyId).filter((d) => d.headline !== undefined).map((d) => d.kind);

  it("tour: every family with a headline runs, the others are listed as not available; one self-contained report", async () => {
    const r = await cli("tour", "-o", join(dir, "runs"));
    expect(r.code).toBe(0);
    for (const f of FAMILIES) {
      if (headliners(f.id).length === 0) expect(r.out).toMatch(new RegExp(`${f.id}\\s+—.*not available`));
      else for (const kind of headliners(f.id)) expect(r.out).toMatch(new RegExp(`${f.id}\\s+${kind}\\s+\\S`));
    }
    expect(r.out).toMatch(/foundation\s+linalg-check\s+GEMM/);
    const report = /report: (.*report\.html)/.exec(r.out)![1];
    const html = readFileSync(report, "utf8");
    for (const f of FAMILIES) expect(html).toContain(f.title.replace(/&/g, "&amp;"));
    if (FAMILIES.some((f) => headliners(f.id).length === 0)) expect(html).toContain("Not available");
    expect(html).toContain("<svg");
    expect(loadingUrls(html)).toEqual([]);
    const tourDir = join(report, "..");
    const kinds = FAMILIES.flatMap((f) => headliners(f.id));
    expect(readdirSync(tourDir).sort()).toEqual([...kinds, "report.html", "tour.json"].sort());
    for (const kind of kinds) expect(existsSync(join(tourDir, kind, "report.html"))).toBe(true);
  }, TOUR_TIMEOUT_MS);

  it("runTour --json shape and exit code follow the verdicts", async () => {
    const t = await runTour({ outDir: join(dir, "runs"), families: ["foundation"] });
    expect(t.entries.map((e) => [e.family, e.status])).toEqual(headliners("foundation").map(() => ["foundation", "ok"]));
    expect(t.pass).toBe(true);
    const j = await cli("tour", "-o", join(dir, "runs"), "--json");
    const doc = JSON.parse(j.out);
    const rows = FAMILIES.reduce((s, f) => s + Math.max(1, headliners(f.id).length), 0);
    expect(doc.entries).toHaveLength(rows);
    expect(doc.pass).toBe(true);
  }, TOUR_TIMEOUT_MS);
});
