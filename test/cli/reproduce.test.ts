// `splitscape reproduce` as a user runs it (the BUILT CLI, node bin/splitscape.js): --list and
// --list --json, one --quick run with --json (the issue's {id, claims, runFolder} shape, exit 0
// when every claim passes), and the input errors (exit 2, one line, nothing written).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listReproductions } from "../../src/reproduce/index.js";

const repo = resolve(import.meta.dirname, "../..");
const bin = join(repo, "bin/splitscape.js");
const scratch = mkdtempSync(join(tmpdir(), "splitscape-reproduce-cli-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: scratch, encoding: "utf8", timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectInputError(r: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^splitscape: /);
  expect(lines[0]).toMatch(message);
  expect(r.stdout).toBe("");
}

describe("splitscape reproduce", () => {
  it("--list --json: every registered reproduction with paper, figure and recorded seconds (or null)", () => {
    const r = cli(["reproduce", "--list", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { reproductions: Array<{ id: string; paper: string; figure: string; seconds: number | null }> };
    expect(out.reproductions.map((x) => x.id)).toEqual(listReproductions().map((x) => x.id));
    for (const x of out.reproductions) {
      expect(x.paper.length).toBeGreaterThan(10);
      expect(x.seconds === null || (typeof x.seconds === "number" && x.seconds > 0)).toBe(true);
    }
  }, 60_000);

  it("--list: a table with every id", () => {
    const r = cli(["reproduce", "--list"]);
    expect(r.code, r.stderr).toBe(0);
    for (const x of listReproductions()) expect(r.stdout).toContain(x.id);
  }, 60_000);

  it("ID --quick --json -o DIR: one JSON object with the claims and the run folder under DIR", () => {
    const parent = join(scratch, "runs-json");
    const r = cli(["reproduce", "convex/staircase-circle", "--quick", "--json", "-o", parent]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { id: string; pass: boolean; runFolder: string; claims: Array<{ name: string; published: unknown; ours: unknown; tolerance: number; pass: boolean }> };
    expect(out).toMatchObject({ id: "convex/staircase-circle", quick: true, pass: true });
    expect(out.claims.length).toBeGreaterThan(3);
    for (const c of out.claims) expect(Object.keys(c)).toEqual(expect.arrayContaining(["name", "published", "ours", "tolerance", "pass"]));
    expect(out.runFolder.startsWith(parent)).toBe(true);
    expect(readdirSync(out.runFolder)).toEqual(expect.arrayContaining(["report.html", "result.json", "run.json", "spec.json", "figures"]));
    expect(existsSync(join(out.runFolder, "INCOMPLETE"))).toBe(false);
  }, 240_000);

  it("bad input: an unknown id, no id, -o naming a file — exit 2, one line, nothing written", () => {
    expectInputError(cli(["reproduce", "embedding/nope"]), /unknown reproduction "embedding\/nope"; expected one of .*saddles\/3d/);
    expectInputError(cli(["reproduce"]), /give a reproduction id/);
    const file = join(scratch, "a-file");
    writeFileSync(file, "x");
    expectInputError(cli(["reproduce", "convex/staircase-circle", "--quick", "-o", file]), /a-file: cannot write the folder: it is a file/);
    expect(existsSync(join(scratch, "runs"))).toBe(false);
  }, 120_000);
});
