/**
 * `splitscape inspect` in-process: the run folder and its files, the JSON contract, the chain
 * split → inspect whose plateau class equals `plateau`'s, and bad input (exit 2, one line,
 * nothing written).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { datasetToJsonText } from "../../src/data/index.js";
import { makeActivation, modelToText } from "../../src/model/index.js";
import { designStationaryPoint } from "../../src/plateau/index.js";
import { runCli as run } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-cli-inspect-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const c = designStationaryPoint({ seed: 3, d: 2, m: 3, activation: makeActivation("tanh"), target: "positive-definite", stationary: "minimum", inputBias: true, unit: 0 });
const narrow = join(dir, "narrow.json");
const data = join(dir, "data.json");
writeFileSync(narrow, modelToText(c.model));
writeFileSync(data, datasetToJsonText({ ...c.data, source: data }));

describe("splitscape inspect", () => {
  it("split → inspect: an exact split, and the plateau class `plateau` gives for the same λ", async () => {
    const wide = join(dir, "wide.json");
    expect((await run("split", "--model", narrow, "--unit", "0", "--copy-divide", "0.25", "-o", wide)).code).toBe(0);
    const out = join(dir, "runs");
    const r = await run("inspect", "--model", wide, "--data", data, "-o", out, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.facts.loss).toBe("square"); // detected: the targets are not ±1
    expect(j.redundancy.verdict).toBe("exact split");
    expect(j.redundancy.merged.W.length).toBe(3);
    const p = await run("plateau", "--model", narrow, "--data", data, "--unit", "0", "--lambda", "0.25,0.75", "--no-refine", "--json");
    const pj = JSON.parse(p.out);
    expect(j.plateau.verdict).toBe(pj.points[0].class);
    expect(j.plateau.verdict).toBe("local minimum");
    // The run folder: complete, with every file the contract names.
    const folder = j.runFolder as string;
    expect(readdirSync(out)).toEqual([folder.split("/").pop()]);
    for (const f of ["spec.json", "inspect.json", "merged.json", "report.html", "run.json", "figures/hessian-spectrum.svg", "figures/inner-hessians.png"]) {
      expect(existsSync(join(folder, f))).toBe(true);
    }
    expect(existsSync(join(folder, "INCOMPLETE"))).toBe(false);
    const html = readFileSync(join(folder, "report.html"), "utf8");
    for (const h of ["1 Stationarity and curvature", "2 Redundancy", "3 Max-margin", "4 Convex certificate", "5 Plateau"]) expect(html).toContain(h);
    expect(html).toContain("does not apply"); // sections 3 and 4 say why
    const merged = JSON.parse(readFileSync(join(folder, "merged.json"), "utf8"));
    expect(merged.W).toEqual(JSON.parse(readFileSync(narrow, "utf8")).W.map((row: number[]) => row.map((v) => expect.closeTo(v, 14))));
  });

  it("prints a verdict table with one line per section", async () => {
    const r = await run("inspect", "--model", "examples/net4.json", "--data", "examples/line6.json", "--beta", "0.02", "--convex-seconds", "2", "-o", join(dir, "runs2"));
    expect(r.code).toBe(0);
    for (const s of ["stationarity", "redundancy", "max-margin", "convex", "plateau"]) expect(r.out).toMatch(new RegExp(`^${s} `, "m"));
    expect(r.out).toMatch(/^convex\s+neither/m);
    expect(r.out).toMatch(/run folder: /);
  });

  it("bad input: exit 2, one line naming the problem, no run folder", async () => {
    const out = join(dir, "never");
    const cases: [string[], RegExp][] = [
      [["--model", join(dir, "missing.json"), "--data", data], /missing\.json: no such file, expected a model file/],
      [["--model", narrow, "--data", data, "--loss", "logistic"], /needs labels ±1/],
      [["--model", narrow, "--data", data, "--beta", "-1"], /--beta: expected a finite number ≥ 0/],
      [["--model", narrow, "--data", data, "--angle-tol", "x"], /--angle-tol/],
      [["--model", narrow, "--data", "builtin:blobs?n=10&d=3"], /expects d = 2/],
    ];
    for (const [args, msg] of cases) {
      const r = await run("inspect", ...args, "-o", out);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
    const mlp = join(dir, "mlp.json");
    writeFileSync(mlp, JSON.stringify({ kind: "mlp", activation: "relu", weights: [[[1, 0], [0, 1]], [[1, -1]]] }));
    const r = await run("inspect", "--model", mlp, "--data", data, "--bias", "-o", out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--bias: applies to two-layer networks/);
    expect(existsSync(out)).toBe(false);
  });
});
