/**
 * `splitscape slice` in-process: run folders of a line, a plane and the convex path (values.csv
 * rows, slice.json fields, figures, checks), and bad input (exit 2, one line, nothing written).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateLoss, loadModel } from "../../src/model/index.js";
import { loadDataset } from "../../src/data/index.js";
import { runCli as run } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-cli-slice-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const net = "examples/net4.json";
const data = "examples/line6.json";
const other = join(dir, "other.json");
writeFileSync(other, JSON.stringify({ kind: "two-layer", activation: "relu", W: [[0.5], [-1.0], [0.2], [-0.7]], b: [0.1, 0.4, 0.0, 0.3], a: [0.9, -0.3, 0.8, 0.2] }));

describe("splitscape slice", () => {
  it("a line to:MODEL2: values.csv, slice.json with the endpoints, figures, checks pass", async () => {
    const out = join(dir, "runs");
    const r = await run("slice", "--model", net, "--data", data, "--along", `to:${other}`, "--x", "-0.5:1.5:21", "-o", out, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(true);
    const folder = j.runFolder as string;
    const csv = readFileSync(join(folder, "values.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("x,y,objective,loss,log_loss,penalty");
    expect(csv).toHaveLength(22);
    const s = JSON.parse(readFileSync(join(folder, "slice.json"), "utf8"));
    expect(s.kind).toBe("line");
    const ds = loadDataset(data);
    const end = evaluateLoss(loadModel(other), ds, "square").loss;
    expect(s.overlays.to.gridEnd).toBeCloseTo(end, 13);
    for (const f of ["spec.json", "report.html", "run.json", "figures/slice.svg", "figures/slice.png", "figures/slice.vl.json"]) expect(existsSync(join(folder, f))).toBe(true);
    expect(existsSync(join(folder, "INCOMPLETE"))).toBe(false);
  });

  it("a plane (random × hessian:1) with --log and projected networks", async () => {
    const r = await run("slice", "--model", net, "--data", data, "--along", "random:3", "--plane", "hessian:1", "--x", "-1:1:11", "--y", "-0.5:0.5:9", "--log", "--project", `${other},${net}`, "-o", join(dir, "runs"), "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    const folder = j.runFolder as string;
    expect(readFileSync(join(folder, "values.csv"), "utf8").trim().split("\n")).toHaveLength(1 + 11 * 9);
    const s = JSON.parse(readFileSync(join(folder, "slice.json"), "utf8"));
    expect(s.kind).toBe("plane");
    expect(s.directions).toHaveLength(2);
    expect(s.projections[1].offPlane).toBe(0); // the model itself sits at the origin
    expect(s.projections[1].x).toBe(0);
    const vl = JSON.parse(readFileSync(join(folder, "figures/slice.vl.json"), "utf8"));
    expect(JSON.stringify(vl)).toContain("\"type\":\"log\"");
  });

  it("a conv model: a filter-normalised random line, F at 0 = the model's loss", async () => {
    const r = await run("slice", "--model", "examples/conv/conv1d.json", "--data", "builtin:blobs?n=40&d=6&seed=1", "--loss", "logistic", "--along", "random:1", "--x", "-1:1:5", "-o", join(dir, "runs"), "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.checks.every((v: { pass: boolean }) => v.pass)).toBe(true);
    const s = JSON.parse(readFileSync(join(j.runFolder, "slice.json"), "utf8"));
    expect(s.directions[0].normalization).toMatch(/filter-normalised/);
    expect(s.values.objective).toHaveLength(5);
  });

  it("--along path: the curve to a certified optimum", async () => {
    const r = await run("slice", "--model", net, "--data", data, "--beta", "0.02", "--along", "path", "-o", join(dir, "runs"), "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.checks.every((v: { pass: boolean }) => v.pass)).toBe(true);
    const csv = readFileSync(join(j.runFolder, "values.csv"), "utf8").split("\n");
    expect(csv[0]).toBe("position,stage,objective,path_objective");
  });

  it("bad input: exit 2, one line, no run folder", async () => {
    const out = join(dir, "never");
    const cases: [string[], RegExp][] = [
      [["--along", "sideways"], /--along: unknown direction "sideways"/],
      [["--along", "hessian:0"], /K ≠ 0/],
      [["--along", "random", "--plane", "path"], /path is a curve/],
      [["--along", "random", "--y", "-1:1"], /--y: needs --plane/],
      [["--along", "random", "--x", "1:0"], /--x: expected finite numbers lo < hi/],
      [["--along", "random", "--x", "-1:1:5000"], /exceeds the limit/],
      [["--along", "to:examples/two-outputs.json"], /kind|entries|expected|model/],
      [["--along", "path"], /needs weight decay/],
      [["--along", "plateau:9"], /unit 9 is out of range/],
      [["--along", "plateau-across:0"], /needs a smooth activation/],
    ];
    for (const [args, msg] of cases) {
      const r = await run("slice", "--model", net, "--data", data, ...args, "-o", out);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
    expect(existsSync(out)).toBe(false);
  });
});
