// Our forward pass and input gradients against PyTorch's own numbers on the fixtures
// (test/fixtures/torch/README.md: three Linear chains and a CNN), and export → import round trips.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import { parseSafetensors, parseTorchRepr, readSafetensors } from "../../src/io/index.js";
import type { Matrix } from "../../src/linalg/index.js";
import {
  describeArchitecture, forward, inputGradient, loadModel, modelToStateDict, safetensorsModelBytes, stateDictToModel, type Model,
} from "../../src/model/index.js";

const FIX = join(import.meta.dirname, "../fixtures/torch");
/** Every fixture: three Linear chains and the CNN (Conv2d · ReLU · Conv2d(stride 2, padding 1) · ReLU · Flatten · Linear). */
const FIXTURES = ["two-layer-tanh-bias", "mlp-relu-nobias", "two-layer-leaky-vector", "cnn-relu-nobias"];
const dir = mkdtempSync(join(tmpdir(), "splitscape-fixtures-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Expected {
  model: string;
  input_shape: number[];
  X: number[][];
  output: number[][];
  input_gradient_of_sum: number[][];
}

function expected(name: string): Expected {
  return JSON.parse(readFileSync(join(FIX, `${name}.expected.json`), "utf8")) as Expected;
}

function inputs(e: Expected): Matrix {
  return { rows: e.X.length, cols: e.X[0].length, data: Float64Array.from(e.X.flat()) };
}

/** The per-sample input shape of a convolutional fixture (input_shape is n×C×H×W), else undefined. */
function inputShape(e: Expected): number[] | undefined {
  return e.input_shape.length > 2 ? e.input_shape.slice(1) : undefined;
}

function load(name: string, file: string): Model {
  const e = expected(name);
  return loadModel(join(FIX, file), { layers: parseTorchRepr(e.model, `${name}.expected.json`), inputShape: inputShape(e) });
}

/**
 * Per-entry first-order bound on |g(θ̃) − g(θ)| when every weight is rounded to float32,
 * |θ̃_p − θ_p| ≤ u|θ_p| with u = 2⁻²⁴:  u Σ_p |θ_p| |∂g/∂θ_p|, the derivatives by central
 * differences (step 1e-6 relative; the maps are smooth or piecewise polynomial in θ away from
 * kinks, so the difference quotient is accurate to far better than the 10% slack used below).
 */
function float32Bound(model: Model, g: (m: Model) => Float64Array): Float64Array {
  const u = 2 ** -24;
  const base = g(model);
  const bound = new Float64Array(base.length);
  for (let p = 0; p < model.theta.length; p++) {
    const t = model.theta[p];
    if (t === 0) continue;
    const h = 1e-6 * Math.abs(t);
    const plus = new Float64Array(model.theta);
    const minus = new Float64Array(model.theta);
    plus[p] = t + h;
    minus[p] = t - h;
    const gp = g({ arch: model.arch, theta: plus });
    const gm = g({ arch: model.arch, theta: minus });
    for (let i = 0; i < base.length; i++) bound[i] += u * Math.abs(t) * Math.abs((gp[i] - gm[i]) / (2 * h));
  }
  return bound;
}

describe("PyTorch fixtures: forward pass and input gradients", () => {
  it.each(FIXTURES)("%s (float64 weights): outputs and ∂(Σ outputs)/∂X equal PyTorch's to 1e-12", (name) => {
    const e = expected(name);
    const model = load(name, `${name}.safetensors`);
    const X = inputs(e);
    const F = forward(model, X).data;
    const G = inputGradient(model, X).data;
    e.output.flat().forEach((v, i) => expect(Math.abs(F[i] - v), `output ${i}`).toBeLessThanOrEqual(1e-12));
    e.input_gradient_of_sum.flat().forEach((v, i) => expect(Math.abs(G[i] - v), `gradient ${i}`).toBeLessThanOrEqual(1e-12));
  });

  it.each(FIXTURES)("%s (float32 weights): the file is the float64 weights rounded to float32", (name) => {
    const f64 = readSafetensors(join(FIX, `${name}.safetensors`));
    const f32 = readSafetensors(join(FIX, `${name}.f32.safetensors`));
    for (const [key, t] of f64.tensors) expect(Array.from(f32.tensors.get(key)!.data), key).toEqual(Array.from(t.data, Math.fround));
  });

  // The expected numbers belong to the float64 weights, so the float32 file is held to the
  // first-order effect of rounding each weight to float32 (float32Bound, with 10% slack for the
  // second-order terms and 1e-15 for float64 rounding) — a tolerance derived per entry, not a
  // global guess. It is 1e-9 to 1e-7 here; a wrong mapping misses by O(1).
  it.each(FIXTURES)("%s (float32 weights): outputs and input gradients within the float32 rounding of the weights", (name) => {
    const e = expected(name);
    const model = load(name, `${name}.f32.safetensors`);
    const X = inputs(e);
    const out = (m: Model): Float64Array => forward(m, X).data;
    const grad = (m: Model): Float64Array => inputGradient(m, X).data;
    for (const [f, want] of [[out, e.output.flat()], [grad, e.input_gradient_of_sum.flat()]] as const) {
      const got = f(model);
      const bound = float32Bound(model, f);
      want.forEach((v, i) => {
        expect(Math.abs(got[i] - v), `entry ${i}`).toBeLessThanOrEqual(1.1 * bound[i] + 1e-15);
      });
      expect(Math.max(...bound)).toBeGreaterThan(1e-10); // the bound is the float32 effect, not zero
    }
  });

  it("the CNN maps onto the conv kind: θ is the state_dict's tensors in order, bit for bit", () => {
    const model = load("cnn-relu-nobias", "cnn-relu-nobias.safetensors");
    expect(describeArchitecture(model.arch)).toBe("conv2d 1×7×7 → conv 4 3×3 → 4×5×5 → conv 6 3×3 s2×2 p1×1 → 6×3×3 → 1 relu");
    const sd = readSafetensors(join(FIX, "cnn-relu-nobias.safetensors")).tensors;
    const concatenated = Float64Array.from(["0.weight", "2.weight", "5.weight"].flatMap((k) => Array.from(sd.get(k)!.data)));
    expect(Buffer.from(model.theta.buffer).equals(Buffer.from(concatenated.buffer))).toBe(true);
  });
});

describe("export → import", () => {
  it.each(FIXTURES)("%s: the exported state_dict is PyTorch's own (keys, shapes, bits) and imports bit-exactly", (name) => {
    const model = load(name, `${name}.safetensors`);
    const original = readSafetensors(join(FIX, `${name}.safetensors`)).tensors;
    const exported = modelToStateDict(model);
    expect(exported.map((t) => t.key)).toEqual([...original.keys()]);
    for (const t of exported) {
      const o = original.get(t.key)!;
      expect(t.shape, t.key).toEqual(o.shape);
      expect(Buffer.from(t.data.buffer).equals(Buffer.from(o.data.buffer)), t.key).toBe(true);
    }
    const bytes = safetensorsModelBytes(model);
    const file = parseSafetensors(bytes, "mem");
    expect(file.metadata.format).toBe("pt");
    const back = stateDictToModel(file.tensors, parseTorchRepr(expected(name).model, "repr"), "mem", { inputShape: inputShape(expected(name)) });
    expect(back.arch).toEqual(model.arch);
    expect(Buffer.from(back.theta.buffer).equals(Buffer.from(model.theta.buffer))).toBe(true);
  });

  it.each([
    ["two-layer-leaky-vector", "linear,leaky_relu:0.05,linear", undefined],
    ["cnn-relu-nobias", "conv2d:3:1:0,relu,conv2d:3:2:1,relu,flatten,linear", "1,7,7"],
  ])("%s: a file splitscape wrote loads without flags (architecture and input shape from __metadata__)", (name, arch, shape) => {
    const model = load(name, `${name}.safetensors`);
    const bytes = safetensorsModelBytes(model);
    const file = parseSafetensors(bytes, "mem");
    expect(file.metadata["splitscape.arch"]).toBe(arch);
    expect(file.metadata["splitscape.input_shape"]).toBe(shape);
    const path = join(dir, `${name}.safetensors`);
    writeFileSync(path, bytes);
    const back = loadModel(path);
    expect(back.arch).toEqual(model.arch);
    expect(Buffer.from(back.theta.buffer).equals(Buffer.from(model.theta.buffer))).toBe(true);
  });

  it("PyTorch's files without splitscape metadata need the architecture, and the error shows the state_dict", () => {
    let err: unknown;
    try {
      loadModel(join(FIX, "mlp-relu-nobias.safetensors"));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/give it with --arch .* the state_dict holds 0\.weight \[6, 4\] F64, 2\.weight \[5, 6\] F64, 4\.weight \[1, 5\] F64/);
  });
});
