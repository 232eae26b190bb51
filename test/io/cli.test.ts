// The commands on PyTorch weights and NumPy data: eval gives PyTorch's outputs on every dense
// fixture; import/export; kkt, convex --certify, split and plateau accept the imported models;
// bad input is exit 2 with nothing written.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT_INPUT, EXIT_OK } from "../../src/cli/exitCodes.js";
import { loadDataset, makeDataset, saveDataset } from "../../src/data/index.js";
import { readSafetensors } from "../../src/io/index.js";
import { forward, loadModel, modelToStateDict } from "../../src/model/index.js";
import { encodeSafetensors } from "../../src/io/index.js";
import { runCli } from "../helpers/cli.js";

const FIX = join(import.meta.dirname, "../fixtures/torch");
const dir = mkdtempSync(join(tmpdir(), "splitscape-byo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARCH: Record<string, string> = {
  "two-layer-tanh-bias": "linear,tanh,linear",
  "mlp-relu-nobias": "linear,relu,linear,relu,linear",
  "two-layer-leaky-vector": "linear,leaky_relu:0.05,linear",
};

function expectedOutputs(name: string): number[] {
  return (JSON.parse(readFileSync(join(FIX, `${name}.expected.json`), "utf8")) as { output: number[][] }).output.flat();
}

async function json(...args: string[]): Promise<Record<string, unknown>> {
  const r = await runCli(...args, "--json");
  expect(r.err).toBe("");
  expect(r.code).toBe(EXIT_OK);
  return JSON.parse(r.out) as Record<string, unknown>;
}

describe("eval on PyTorch weights and NumPy data", () => {
  for (const name of Object.keys(ARCH)) {
    for (const how of ["--arch", "--torch-repr"]) {
      it(`${name} (${how}): eval --outputs gives PyTorch's outputs to 1e-12`, async () => {
        const flag = how === "--arch" ? ["--arch", ARCH[name]] : ["--torch-repr", join(FIX, `${name}.expected.json`)];
        const r = await json("eval", "--model", join(FIX, `${name}.safetensors`), ...flag, "--data", join(FIX, `${name}.npz`), "--loss", "square", "--outputs");
        const got = (r.outputs as (number | number[])[]).flat();
        const want = expectedOutputs(name);
        expect(got.length).toBe(want.length);
        want.forEach((v, i) => expect(Math.abs(got[i] - v)).toBeLessThanOrEqual(1e-12));
        expect(r.loss as number).toBeLessThan(1e-24); // y in the .npz is PyTorch's output
      });
    }
  }

  it("reads a --torch-repr text file (what print(model) shows)", async () => {
    const repr = join(dir, "model.txt");
    writeFileSync(repr, (JSON.parse(readFileSync(join(FIX, "mlp-relu-nobias.expected.json"), "utf8")) as { model: string }).model);
    const r = await json("eval", "--model", join(FIX, "mlp-relu-nobias.f32.safetensors"), "--torch-repr", repr, "--data", join(FIX, "mlp-relu-nobias.npz"), "--loss", "square", "--outputs");
    expect((r.outputs as number[]).length).toBe(20);
  });

  it("refuses the CNN with the conv-kind message, and mismatched flags, with exit 2", async () => {
    const cnn = await runCli("eval", "--model", join(FIX, "cnn-relu-nobias.safetensors"), "--torch-repr", join(FIX, "cnn-relu-nobias.expected.json"), "--input-shape", "1,7,7", "--data", join(FIX, "cnn-relu-nobias.npz"), "--loss", "square");
    expect(cnn.code).toBe(EXIT_INPUT);
    expect(cnn.err).toMatch(/cnn-relu-nobias\.expected\.json: convolutional models need the conv model kind/);
    const noArch = await runCli("eval", "--model", join(FIX, "mlp-relu-nobias.safetensors"), "--data", join(FIX, "mlp-relu-nobias.npz"), "--loss", "square");
    expect(noArch.code).toBe(EXIT_INPUT);
    expect(noArch.err).toMatch(/give it with --arch .* the state_dict holds 0\.weight \[6, 4\] F64/);
    const wrong = await runCli("eval", "--model", join(FIX, "mlp-relu-nobias.safetensors"), "--arch", "linear,relu,linear", "--data", join(FIX, "mlp-relu-nobias.npz"), "--loss", "square");
    expect(wrong.code).toBe(EXIT_INPUT);
    expect(wrong.err).toMatch(/mlp-relu-nobias\.safetensors: 2\.weight: has shape \[5, 6\], expected \[out, 6\] .*|4\.weight: belongs to no Linear/);
    expect(wrong.err.split("\n").filter(Boolean).length).toBe(1);
  });
});

describe("import and export", () => {
  it("import writes a model file that evaluates like the weights; export → import is bit-exact", async () => {
    const out = join(dir, "leaky.json");
    const r = await json("import", join(FIX, "two-layer-leaky-vector.safetensors"), "--arch", ARCH["two-layer-leaky-vector"], "-o", out);
    expect(r.architecture).toBe("two-layer 2→7→3 leaky_relu(0.05)");
    expect(r.tensors).toEqual([{ key: "0.weight", shape: [7, 2], dtype: "F64" }, { key: "2.weight", shape: [3, 7], dtype: "F64" }]);
    const st = join(dir, "leaky.safetensors");
    const e = await json("export", out, "-o", st);
    expect(e.torch).toBe("nn.Sequential(nn.Linear(2, 7, bias=False), nn.LeakyReLU(0.05), nn.Linear(7, 3, bias=False))");
    // PyTorch's keys and bits, plus splitscape's metadata; the result loads without flags.
    const mine = readSafetensors(st);
    const theirs = readSafetensors(join(FIX, "two-layer-leaky-vector.safetensors"));
    for (const [key, t] of theirs.tensors) expect(Buffer.from(mine.tensors.get(key)!.data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);
    expect(mine.metadata["splitscape.arch"]).toBe(ARCH["two-layer-leaky-vector"]);
    const back = join(dir, "back.json");
    await json("import", st, "-o", back);
    expect(readFileSync(back, "utf8")).toBe(readFileSync(out, "utf8"));
  });

  it("export --dtype F32 rounds to nearest", async () => {
    const st = join(dir, "tanh32.safetensors");
    await json("export", join(FIX, "two-layer-tanh-bias.safetensors"), "--arch", ARCH["two-layer-tanh-bias"], "-o", st, "--dtype", "F32");
    const f = readSafetensors(st);
    const ref = readSafetensors(join(FIX, "two-layer-tanh-bias.f32.safetensors"));
    for (const [key, t] of ref.tensors) expect(Array.from(f.tensors.get(key)!.data)).toEqual(Array.from(t.data));
  });

  it.each([
    ["import of weights that do not fit", ["import", join(FIX, "two-layer-tanh-bias.safetensors"), "--arch", "linear,tanh,linear,tanh,linear"], /two-layer-tanh-bias\.safetensors: 4\.weight: missing/],
    ["import of a BatchNorm text", ["import", join(FIX, "two-layer-tanh-bias.safetensors"), "--torch-repr", "BN"], /BatchNorm1d at \(1\)\): normalisation layers cannot be mapped/],
    ["import of a JSON file", ["import", join(FIX, "two-layer-tanh-bias.expected.json"), "--arch", "linear"], /expected a \.safetensors file/],
    ["export to a .json name", ["export", join(FIX, "two-layer-tanh-bias.safetensors"), "--arch", "linear,tanh,linear"], /--out: expected a \.safetensors file name/],
    ["--arch with --torch-repr", ["import", join(FIX, "two-layer-tanh-bias.safetensors"), "--arch", "linear", "--torch-repr", "x"], /cannot be used with option '--arch/],
    ["a bad --input-shape", ["import", join(FIX, "two-layer-tanh-bias.safetensors"), "--arch", "linear,tanh,linear", "--input-shape", "3,x"], /--input-shape: expected C,H,W/],
    ["an --input-shape that does not fit", ["import", join(FIX, "two-layer-tanh-bias.safetensors"), "--arch", "linear,tanh,linear", "--input-shape", "2,2"], /--input-shape 2,2 has 4 entries, but the first Linear \(0\.weight\) takes 3 inputs/],
  ])("%s is exit 2 and writes nothing", async (_what, args, message) => {
    const bn = join(dir, "bn.txt");
    writeFileSync(bn, "Sequential(\n  (0): Linear(in_features=3, out_features=5, bias=True)\n  (1): BatchNorm1d(5, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n  (2): Linear(in_features=5, out_features=1, bias=True)\n)\n");
    const out = join(dir, `never-${Math.random().toString(36).slice(2)}.json`);
    const isExport = args[0] === "export";
    const r = await runCli(...args.map((a) => (a === "BN" ? bn : a)), "-o", isExport && /json name/.test(_what) ? out : isExport ? out.replace(/json$/, "safetensors") : out);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.err).toMatch(message);
    expect(existsSync(out) || existsSync(out.replace(/json$/, "safetensors"))).toBe(false);
  });

  it("never overwrites its input without --force", async () => {
    const st = join(dir, "self.safetensors");
    copyFileSync(join(FIX, "two-layer-tanh-bias.safetensors"), st);
    const before = readFileSync(st);
    const r = await runCli("import", st, "--arch", ARCH["two-layer-tanh-bias"], "-o", st);
    expect(r.code).toBe(EXIT_INPUT);
    expect(r.err).toMatch(/is also an input of this command/);
    expect(readFileSync(st).equals(before)).toBe(true);
    const forced = await runCli("import", st, "--arch", ARCH["two-layer-tanh-bias"], "-o", st, "--force");
    expect(forced.code).toBe(EXIT_OK);
    expect(readSafetensors(st).metadata["splitscape.arch"]).toBe(ARCH["two-layer-tanh-bias"]);
  });
});

describe("the other commands accept imported models", () => {
  it("kkt on the ReLU MLP (labels ±1 from the sign of PyTorch's output)", async () => {
    const ds = loadDataset(join(FIX, "mlp-relu-nobias.npz"));
    const labelled = join(dir, "mlp-labels.npz");
    saveDataset(makeDataset(ds.X, { rows: ds.Y.rows, cols: 1, data: ds.Y.data.map((v) => (v > 0 ? 1 : -1)) }, "mem"), labelled);
    const r = await runCli("kkt", "--model", join(FIX, "mlp-relu-nobias.safetensors"), "--arch", ARCH["mlp-relu-nobias"], "--data", labelled, "--json");
    expect(r.err).toBe("");
    expect([EXIT_OK, 1]).toContain(r.code);
    const out = JSON.parse(r.out) as { architecture?: string };
    expect(JSON.stringify(out)).toMatch(/mlp 4→6→5→1 relu/);
  });

  it("convex --certify, split and certify again: PyTorch-layout float32 weights without metadata", async () => {
    // A certified optimum stored as PyTorch would store a float32 model: keys 0.weight, 0.bias,
    // 2.weight, no splitscape metadata.
    const data = join(dir, "iris.npz");
    expect((await runCli("data", "make", "builtin:iris?classes=1,2&n=24&pca=2", "-o", data)).code).toBe(EXIT_OK);
    const solve = await json("convex", "--data", data, "--beta", "0.5", "--bias");
    const netJson = join(dir, "iris-net.json");
    writeFileSync(netJson, JSON.stringify(solve.network));
    const weights = join(dir, "iris-relu.safetensors");
    writeFileSync(weights, encodeSafetensors(modelToStateDict(loadModel(netJson)), { format: "pt" }, "F32"));
    const cert = await json("convex", "--certify", "--model", weights, "--arch", "linear,relu,linear", "--data", data, "--beta", "0.5");
    expect(cert.classification).toBe("global optimum");
    const wide = join(dir, "wide.safetensors");
    const split = await json("split", "--model", weights, "--arch", "linear,relu,linear", "--unit", "0", "--coeffs", "0.6,0.8", "-o", wide, "--data", data);
    expect(split.pass).toBe(true);
    const again = await json("convex", "--certify", "--model", wide, "--data", data, "--beta", "0.5");
    expect(again.classification).toBe("global optimum");
    const narrow = loadModel(weights, { layers: { layers: [{ kind: "linear", key: "0" }, { kind: "activation", key: "1", activation: "relu", text: "relu" }, { kind: "linear", key: "2" }], source: "t" } });
    const X = loadDataset(data).X;
    const f0 = forward(narrow, X).data;
    const f1 = forward(loadModel(wide), X).data;
    f0.forEach((v, i) => expect(Math.abs(f1[i] - v)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(v))));
  });

  it("plateau analyses the imported tanh network exactly as the same network in a JSON model file", async () => {
    const asJson = join(dir, "tanh.json");
    await json("import", join(FIX, "two-layer-tanh-bias.safetensors"), "--arch", ARCH["two-layer-tanh-bias"], "-o", asJson);
    const common = ["--data", join(FIX, "two-layer-tanh-bias.npz"), "--unit", "1", "--no-refine", "--json"];
    const a = await runCli("plateau", "--model", join(FIX, "two-layer-tanh-bias.safetensors"), "--arch", ARCH["two-layer-tanh-bias"], ...common);
    const b = await runCli("plateau", "--model", asJson, ...common);
    expect(a.err).toBe("");
    expect(a.code).not.toBe(EXIT_INPUT);
    const strip = (s: string): unknown => ({ ...(JSON.parse(s) as Record<string, unknown>), model: null });
    expect(strip(a.out)).toEqual(strip(b.out));
  });
});
