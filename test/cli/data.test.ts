import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatJson, parseLabelCols, resolveDataset } from "../../src/cli/io.js";
import { InputError } from "../../src/common/errors.js";
import { loadDataset, makeBuiltin } from "../../src/data/index.js";
import { runCli as run } from "../helpers/cli.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "splitscape-cli-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe("splitscape data (in-process)", () => {

  it("data list prints every generator; --json prints one JSON object with parameters and defaults", async () => {
    const human = await run("data", "list");
    expect(human.code).toBe(0);
    for (const name of ["blobs", "xor", "circles", "moons", "spirals", "sphere", "teacher", "sin", "mnist", "fashion_mnist", "iris"]) expect(human.out).toContain(`${name} — `);
    const json = await run("data", "list", "--json");
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.out);
    expect(doc.generators).toHaveLength(11);
    const blobs = doc.generators[0];
    expect(blobs.name).toBe("blobs");
    expect(blobs.params.find((p: { name: string }) => p.name === "std")).toMatchObject({ default: "0.5", min: 0, max: 1000 });
  });

  it("data make writes JSON and CSV that load back to the same data", async () => {
    const j = join(dir, "blobs.json");
    const r = await run("data", "make", "blobs", "--n", "30", "--seed", "4", "--param", "std=0.2", "-p", "d=3", "-o", j, "--json");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({ file: j, format: "json", n: 30, d: 3, k: 1, task: "classification", classes: { positive: 15, negative: 15 } });
    expect(summary.source).toBe("builtin:blobs?n=30&seed=4&d=3&mu=2&std=0.2");
    const want = makeBuiltin(summary.source);
    expect(Array.from(loadDataset(j).X.data)).toEqual(Array.from(want.X.data));
    expect(JSON.parse(readFileSync(j, "utf8")).source).toBe(summary.source);

    const c = join(dir, "sin.csv");
    const r2 = await run("data", "make", "builtin:sin?n=12&d=3", "-o", c);
    expect(r2.code).toBe(0);
    expect(r2.out).toMatch(/^wrote .*sin\.csv \(csv\): n=12, d=3, k=1 from builtin:sin\?n=12/);
    expect(readFileSync(c, "utf8").split("\n")[0]).toBe("x1,x2,x3,y");
    expect(Array.from(loadDataset(c).Y.data)).toEqual(Array.from(makeBuiltin("sin?n=12&d=3").Y.data));
  });

  it("data make converts a dataset file, honouring --label-cols", async () => {
    const src = join(dir, "two-targets.csv");
    writeFileSync(src, "1,2,3\n4,5,6\n");
    const out = join(dir, "two-targets.json");
    const r = await run("data", "make", src, "--label-cols", "2", "-o", out, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ X: [[1], [4]], y: [[2, 3], [5, 6]] });
  });

  it("bad input exits 2 with the message on stderr and leaves no output file", async () => {
    const cases: [string[], RegExp][] = [
      [["data", "make", "builtin:blobs?std=-1"], /builtin:blobs: std: expected a number in \[0, 1000\], got "-1"/],
      [["data", "make", "nosuchgen"], /nosuchgen: no such file/],
      [["data", "make", "builtin:nosuchgen"], /builtin:nosuchgen: unknown generator; available: blobs/],
      [["data", "make", "blobs", "--n", "0"], /n: expected an integer in \[1, 1000000\]/],
      [["data", "make", "blobs", "--param", "colour=red"], /colour: unknown parameter; allowed: n, seed, d, mu, mu_neg, std/],
      [["data", "make", "blobs", "--param", "novalue"], /--param: expected key=value/],
      [["data", "make", "sphere", "-p", "teacher=linear", "-p", "margin=0.9999"], /sphere: margin: only \d+ of 100 points/],
    ];
    for (const [args, message] of cases) {
      const out = join(dir, "fail.json");
      const r = await run(...args, "-o", out);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe("");
      expect(existsSync(out)).toBe(false);
    }
    const badExt = join(dir, "fail.xlsx");
    const r = await run("data", "make", "blobs", "-o", badExt);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--out: cannot tell the format/);
    expect(existsSync(badExt)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes("fail") || f.endsWith(".tmp"))).toEqual([]);
  });

  it("a failing data make leaves an existing output file untouched", async () => {
    const out = join(dir, "keep.json");
    writeFileSync(out, "previous content");
    const r = await run("data", "make", "blobs?std=-3", "-o", out);
    expect(r.code).toBe(2);
    expect(readFileSync(out, "utf8")).toBe("previous content");
  });

  it("missing -o and unknown options are usage errors (exit 2)", async () => {
    expect((await run("data", "make", "blobs")).code).toBe(2);
    expect((await run("data", "make", "blobs", "-o", join(dir, "u.json"), "--bogus")).code).toBe(2);
    expect(existsSync(join(dir, "u.json"))).toBe(false);
  });

  it("data info validates files: invalid content exits 2 naming file, field and expectation", async () => {
    const bad = join(dir, "ragged.json");
    writeFileSync(bad, JSON.stringify({ X: [[1, 2], [3]], y: [1, -1] }));
    const r = await run("data", "info", bad, "--json");
    expect(r.code).toBe(2);
    expect(r.err).toBe(`splitscape: ${bad}: X[1]: row 1 has 1 values, expected 2 (the length of X[0])\n`);
    const good = join(dir, "good.csv");
    writeFileSync(good, "x1,x2,y\n1,2,1\n3,4,-1\n5,6,1\n");
    const ok = await run("data", "info", good, "--json");
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ n: 3, d: 2, k: 1, task: "classification", classes: { positive: 2, negative: 1 }, xMin: [1, 2], xMax: [5, 6] });
    const bi = await run("data", "info", "builtin:teacher?task=regression&n=5");
    expect(bi.code).toBe(0);
    expect(bi.out).toMatch(/n=5, d=2, k=1, regression/);
    const lc = await run("data", "info", good, "--label-cols", "x");
    expect(lc.code).toBe(2);
    expect(lc.err).toMatch(/--label-cols: expected an integer/);
  });
});

describe("cli/io helpers", () => {
  it("resolveDataset accepts files, builtin addresses and bare generator names", () => {
    expect(resolveDataset("moons?n=6").source).toBe("builtin:moons?n=6&seed=0&noise=0.1");
    expect(resolveDataset("builtin:moons?n=6").X.rows).toBe(6);
    const f = join(dir, "io.csv");
    writeFileSync(f, "1,2,3\n");
    expect(resolveDataset(f, { labelCols: "2" }).Y.cols).toBe(2);
    expect(() => resolveDataset(join(dir, "absent.csv"))).toThrow(InputError);
    expect(() => parseLabelCols("0")).toThrow(/--label-cols: expected an integer in \[1, 1000000\], got "0"/);
  });

  it("printJson output turns typed arrays into arrays and non-finite numbers into strings", () => {
    expect(JSON.parse(formatJson({ a: Float64Array.of(1, 2), b: Infinity, c: NaN, d: -Infinity }))).toEqual({
      a: [1, 2],
      b: "Infinity",
      c: "NaN",
      d: "-Infinity",
    });
  });
});

/** Spawn a real process: `node <entry> args…`, returning code and output. */
function spawn(entry: string[], args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...entry, ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("splitscape data (subprocess exit codes)", () => {
  // The TypeScript sources through tsx: always current.
  const entry = join(dir, "entry.mjs");
  writeFileSync(entry, `import { main } from ${JSON.stringify(join(root, "src/cli/main.ts"))};\nmain(process.argv).then((c) => { process.exitCode = c; });\n`);

  it("exit 0 with a file written; exit 2 with stderr and no file", () => {
    const ok = join(dir, "sub-ok.json");
    const r = spawn(["--import", "tsx", entry], ["data", "make", "xor?n=8", "-o", ok, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).n).toBe(8);
    expect(existsSync(ok)).toBe(true);
    const bad = join(dir, "sub-bad.json");
    const b = spawn(["--import", "tsx", entry], ["data", "make", "xor?std=big", "-o", bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/builtin:xor: std: expected a number in \[0, 1000\], got "big"/);
    expect(b.stdout).toBe("");
    expect(existsSync(bad)).toBe(false);
  });

  // The built CLI (bin/splitscape.js → dist/), when `npm run build:ts` has run after the last edit.
  const built = join(root, "dist/cli/commands/data.js");
  const fresh = existsSync(built) && statSync(built).mtimeMs >= statSync(join(root, "src/cli/commands/data.ts")).mtimeMs;
  it.runIf(fresh)("bin/splitscape.js: exit 0 and exit 2", () => {
    const ok = join(dir, "bin-ok.csv");
    const r = spawn(["bin/splitscape.js"], ["data", "make", "circles", "--n", "10", "-o", ok]);
    expect(r.code).toBe(0);
    expect(readFileSync(ok, "utf8").split("\n")).toHaveLength(12);
    const bad = join(dir, "bin-bad.csv");
    const b = spawn(["bin/splitscape.js"], ["data", "make", "circles", "--param", "factor=2", "-o", bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/factor: expected a number in \(0, 1\)/);
    expect(existsSync(bad)).toBe(false);
    const list = spawn(["bin/splitscape.js"], ["data", "list", "--json"]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).generators).toHaveLength(11);
  });
});
