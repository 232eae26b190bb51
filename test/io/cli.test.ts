// The commands on PyTorch weights and NumPy data: eval gives PyTorch's outputs on every fixture
// (the CNN with --input-shape); import/export; kkt, convex --certify, split (a neuron, a conv
// channel) and plateau accept the imported models; bad input is exit 2 with nothing written.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT_INPUT, EXIT_OK } from "../../src/cli/exitCodes.js";
import { loadDataset, makeDataset, saveDataset } from "../../src/data/index.js";
import { parseArch, readSafetensors } from "../../src/io/index.js";
import { forward, loadModel, modelToStateDict } from "../../src/model/index.js";
import { encodeSafetensors } from "../../src/io/index.js";
import { runCli } from "../helpers/cli.js";
import { refSequential } from "./torchReference.js";

const FIX = join(import.meta.dirname, "../fixtures/torch");
const dir = mkdtempSync(join(tmpdir(), "splitscape-byo-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARCH: Record<string, string> = {
  "two-layer-tanh-bias": "linear,tanh,linear",
  "mlp-relu-nobias": "linear,relu,linear,relu,linear",
  "two-layer-leaky-vector": "linear,leaky_relu:0.05,linear",
  "cnn-relu-nobias": "conv2d:3,relu,conv2d:3:2:1,relu,flatten,linear",
};
/** Extra flags of a fixture: the CNN's input shape (its .npz holds X as n×1×7×7). */
const SHAPE: Record<string, string[]> = { "cnn-relu-nobias": ["--input-shape", "1,7,7"] };
const CNN = join(FIX, "cnn-relu-nobias.safetensors");
const CNN_FLAGS = ["--torch-repr", join(FIX, "cnn-relu-nobias.expected.json"), "--input-shape", "1,7,7"];

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
        const r = await json("eval", "--model", join(FIX, `${name}.safetensors`), ...flag, ...(SHAPE[name] ?? []), "--data", join(FIX, `${name}.npz`), "--loss", "square", "--outputs");
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

  it("refuses a CNN without --input-shape, a conv bias, and mismatched flags, with exit 2 and one line", async () => {
    const data = ["--data", join(FIX, "cnn-relu-nobias.npz"), "--loss", "square"];
    const noShape = await runCli("eval", "--model", CNN, "--arch", ARCH["cnn-relu-nobias"], ...data);
    expect(noShape.code).toBe(EXIT_INPUT);
    expect(noShape.err).toMatch(/--input-shape: a convolutional model needs its input shape, .* give --input-shape C,H,W \(the first Conv2d, 0\.weight \[4, 1, 3, 3\], takes C = 1\)/);
    const tensors = readSafetensors(CNN).tensors;
    const biased = join(dir, "cnn-bias.safetensors");
    writeFileSync(biased, encodeSafetensors([...[...tensors].map(([key, t]) => ({ key, shape: t.shape, data: t.data })), { key: "0.bias", shape: [4], data: new Float64Array(4) }], { format: "pt" }));
    const bias = await runCli("eval", "--model", biased, "--arch", ARCH["cnn-relu-nobias"], "--input-shape", "1,7,7", ...data);
    expect(bias.code).toBe(EXIT_INPUT);
    expect(bias.err).toMatch(/cnn-bias\.safetensors: 0\.bias: a Conv2d bias, but the conv kind is bias-free; expected none — train with Conv2d\(…, bias=False\); the state_dict holds 0\.weight \[4, 1, 3, 3\] F64/);
    const padding = await runCli("eval", "--model", CNN, "--arch", "conv2d:3,relu,conv2d:3:2:0,relu,flatten,linear", "--input-shape", "1,7,7", ...data);
    expect(padding.code).toBe(EXIT_INPUT);
    expect(padding.err).toMatch(/cnn-relu-nobias\.safetensors: 5\.weight: has shape \[1, 54\], expected \[out, 24\] \(Linear\.weight is out×in; Flatten gives 24 features: 6×2×2 flattened at layer 4 for the input shape 1,7,7\)/);
    for (const r of [noShape, bias, padding]) expect(r.err.split("\n").filter(Boolean).length).toBe(1);
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

  it("the CNN: import writes a conv model file; export gives PyTorch's keys, shapes and bits and loads without flags", async () => {
    const out = join(dir, "cnn.json");
    const r = await json("import", CNN, ...CNN_FLAGS, "-o", out);
    expect(r.architecture).toBe("conv2d 1×7×7 → conv 4 3×3 → 4×5×5 → conv 6 3×3 s2×2 p1×1 → 6×3×3 → 1 relu");
    expect(r.arch).toBe("conv2d:3:1:0,relu,conv2d:3:2:1,relu,flatten,linear");
    expect((JSON.parse(readFileSync(out, "utf8")) as { kind: string; input: number[] })).toMatchObject({ kind: "conv", input: [1, 7, 7] });
    const st = join(dir, "cnn64.safetensors");
    const e = await json("export", out, "-o", st);
    expect(e.torch).toBe("nn.Sequential(nn.Conv2d(1, 4, 3, bias=False), nn.ReLU(), nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=False), nn.ReLU(), nn.Flatten(), nn.Linear(54, 1, bias=False))");
    const mine = readSafetensors(st);
    const theirs = readSafetensors(CNN);
    expect([...mine.tensors.keys()]).toEqual([...theirs.tensors.keys()]);
    for (const [key, t] of theirs.tensors) {
      expect(mine.tensors.get(key)!.shape, key).toEqual(t.shape);
      expect(Buffer.from(mine.tensors.get(key)!.data.buffer).equals(Buffer.from(t.data.buffer)), key).toBe(true);
    }
    expect(mine.metadata).toMatchObject({ "splitscape.arch": r.arch, "splitscape.input_shape": "1,7,7" });
    const back = join(dir, "cnn-back.json");
    await json("import", st, "-o", back);
    expect(readFileSync(back, "utf8")).toBe(readFileSync(out, "utf8"));
    const ev = await json("eval", "--model", st, "--data", join(FIX, "cnn-relu-nobias.npz"), "--loss", "square", "--outputs");
    expectedOutputs("cnn-relu-nobias").forEach((v, i) => expect(Math.abs((ev.outputs as number[])[i] - v)).toBeLessThanOrEqual(1e-12));
  });

  it("a Conv1d net: eval with --input-shape C,L gives the Sequential's outputs; export → import keeps it", async () => {
    const shapes: [string, number[]][] = [["0.weight", [3, 2, 3]], ["3.weight", [2, 3, 2]], ["6.weight", [1, 4]]];
    const tensors = shapes.map(([key, shape], q) => ({ key, shape, data: Float64Array.from({ length: shape.reduce((p, v) => p * v, 1) }, (_, t) => Math.sin(5 * q + t)) }));
    const weights = join(dir, "conv1d.safetensors");
    writeFileSync(weights, encodeSafetensors(tensors, { format: "pt" }));
    const archText = "conv1d:3:2:1,relu,avgpool1d:2,conv1d:2:2:1,relu,flatten,linear";
    const X = Array.from({ length: 5 }, (_, i) => Array.from({ length: 18 }, (_, j) => Math.cos(3 * i + j)));
    const data = join(dir, "conv1d-data.json");
    writeFileSync(data, JSON.stringify({ X, y: X.map(() => 0) }));
    const r = await json("eval", "--model", weights, "--arch", archText, "--input-shape", "2,9", "--data", data, "--loss", "square", "--outputs");
    const layers = parseArch(archText, "t").layers;
    const sd = readSafetensors(weights).tensors;
    X.forEach((x, i) => expect(Math.abs((r.outputs as number[])[i] - refSequential(layers, sd, [2, 9], x)[0])).toBeLessThanOrEqual(1e-13));
    const st = join(dir, "conv1d-64.safetensors");
    const e = await json("export", weights, "--arch", archText, "--input-shape", "2,9", "-o", st);
    expect(e.torch).toBe("nn.Sequential(nn.Conv1d(2, 3, 3, stride=2, padding=1, bias=False), nn.ReLU(), nn.AvgPool1d(2), nn.Conv1d(3, 2, 2, stride=2, padding=1, bias=False), nn.ReLU(), nn.Flatten(), nn.Linear(4, 1, bias=False))");
    expect(readSafetensors(st).metadata["splitscape.input_shape"]).toBe("2,9");
    const again = await json("eval", "--model", st, "--data", data, "--loss", "square", "--outputs");
    expect(again.outputs).toEqual(r.outputs);
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

  it("kkt and a channel split on the PyTorch CNN; the wide net's certificate and outputs are the narrow one's", async () => {
    const ds = loadDataset(join(FIX, "cnn-relu-nobias.npz"));
    const labelled = join(dir, "cnn-labels.npz");
    saveDataset(makeDataset(ds.X, { rows: ds.Y.rows, cols: 1, data: ds.Y.data.map((v) => (v > 0 ? 1 : -1)) }, "mem"), labelled);
    const kkt = async (...model: string[]): Promise<Record<string, unknown>> => {
      const r = await runCli("kkt", "--model", ...model, "--data", labelled, "--json");
      expect(r.err).toBe("");
      expect([EXIT_OK, 1]).toContain(r.code);
      return JSON.parse(r.out) as Record<string, unknown>;
    };
    const narrow = await kkt(CNN, ...CNN_FLAGS);
    expect(JSON.stringify(narrow)).toMatch(/conv2d 1×7×7 → conv 4 3×3/);
    const wide = join(dir, "cnn-wide.safetensors");
    const split = await json("split", "--model", CNN, ...CNN_FLAGS, "--layer", "1", "--unit", "2", "--coeffs", "0.6,0.8", "-o", wide, "--data", labelled);
    expect(split.pass).toBe(true);
    expect(readSafetensors(wide).tensors.get("0.weight")!.shape).toEqual([5, 1, 3, 3]);
    const after = await kkt(wide); // architecture and input shape from the file's metadata
    expect(JSON.stringify(after)).toMatch(/conv2d 1×7×7 → conv 5 3×3/);
    // Channel splitting maps the margins and the certificate (INTERFACES.md, "Layers and units").
    for (const key of ["qmin", "normalizedMargin", "epsilon", "sumLambda", "normSquaredOverL"]) {
      const a = narrow[key] as number;
      expect(Math.abs((after[key] as number) - a), key).toBeLessThanOrEqual(1e-10 * Math.abs(a));
    }
    expect(after.support).toEqual(narrow.support);
    const wideOut = await json("eval", "--model", wide, "--data", join(FIX, "cnn-relu-nobias.npz"), "--loss", "square", "--outputs");
    expectedOutputs("cnn-relu-nobias").forEach((v, i) => expect(Math.abs((wideOut.outputs as number[])[i] - v)).toBeLessThanOrEqual(1e-12));
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
