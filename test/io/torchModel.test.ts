// Layer lists (ARCH strings, print(model) text) and the state_dict ↔ model mapping: what maps,
// and the error for everything that does not; input gradients against finite differences.
import { describe, expect, it } from "vitest";
import { archToken, parseArch, parseTorchRepr } from "../../src/io/index.js";
import {
  describeArchitecture, forward, inputGradient, makeActivation, mlpArchitecture, modelArch, stateDictToModel, torchSequentialCode,
  twoLayerArchitecture, type Model,
} from "../../src/model/index.js";
import { inputError, stateDict } from "./helpers.js";

const arch = (s: string): ReturnType<typeof parseArch> => parseArch(s, "--arch");

describe("ARCH strings and print(model) text", () => {
  it("parses layers with their parameters", () => {
    expect(arch("linear,leaky_relu:0.05,linear").layers).toEqual([
      { kind: "linear", key: "0" },
      { kind: "activation", key: "1", activation: "leaky_relu", param: 0.05, text: "leaky_relu:0.05" },
      { kind: "linear", key: "2" },
    ]);
    expect(arch("conv2d:3,relu,conv2d:3:2:1,avgpool2d:2,flatten,linear").layers.map(archToken)).toEqual(
      ["conv2d:3:1:0", "relu", "conv2d:3:2:1", "avgpool2d:2", "flatten", "linear"],
    );
    expect(arch(" linear , silu , dropout:0.5 , linear ").layers[1]).toMatchObject({ activation: "swish" });
  });

  it.each([
    ["", /empty architecture/],
    ["linear,,linear", /layer 1 \(""\): empty layer/],
    ["conv2d", /expected conv2d:kernel\[:stride\[:padding\]\]/],
    ["conv2d:0", /kernel must be an integer ≥ 1/],
    ["leaky_relu:x", /parameter "x" is not a number/],
    ["Linear", /expected a layer .* or an activation name/],
  ])("refuses ARCH %j", (text, message) => {
    expect(inputError(() => parseArch(text, "--arch")).message).toMatch(message);
  });

  it("parses print(model) with named modules, sizes, biases and activation parameters", () => {
    const text = `Sequential(
  (fc1): Linear(in_features=3, out_features=4, bias=True)
  (act): LeakyReLU(negative_slope=0.2, inplace=True)
  (drop): Dropout(p=0.1, inplace=False)
  (fc2): Linear(in_features=4, out_features=2, bias=False)
)`;
    const l = parseTorchRepr(text, "net.txt").layers;
    expect(l[0]).toEqual({ kind: "linear", key: "fc1", inFeatures: 3, outFeatures: 4, bias: true });
    expect(l[1]).toMatchObject({ kind: "activation", activation: "leaky_relu", param: 0.2 });
    expect(l[2]).toMatchObject({ kind: "identity", key: "drop" });
    const model = stateDictToModel(stateDict({ "fc1.weight": [4, 3], "fc1.bias": [4], "fc2.weight": [2, 4] }), { layers: l, source: "net.txt" }, "w");
    expect(describeArchitecture(model.arch)).toBe("two-layer 3→4→2 leaky_relu(0.2) (+b)");
  });

  it.each([
    ["  (1): BatchNorm1d(5, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", /line 3 \(BatchNorm1d at \(1\)\): normalisation layers cannot be mapped/],
    ["  (1): GELU(approximate='tanh')", /GELU\(approximate='tanh'\) has no splitscape counterpart/],
    ["  (1): Softplus(beta=2.0, threshold=20.0)", /Softplus with beta ≠ 1/],
    ["  (1): Sequential(", /nested containers are not supported/],
    ["  (1): Hardtanh(min_val=-1.0, max_val=1.0)", /no splitscape counterpart; supported modules: Linear, ReLU/],
  ])("refuses print(model) with %s", (line, message) => {
    const text = `Sequential(\n  (0): Linear(in_features=3, out_features=5, bias=True)\n${line}\n  (2): Linear(in_features=5, out_features=1, bias=True)\n)`;
    expect(inputError(() => parseTorchRepr(text, "m.txt")).message).toMatch(message);
  });
});

describe("state_dict → model", () => {
  it("maps Linear · σ · Linear with biases onto two-layer (a = 2.weightᵀ, b, c) and computes W₂σ(W₁x + b₁) + b₂", () => {
    const sd = stateDict({ "0.weight": [4, 3], "0.bias": [4], "2.weight": [2, 4], "2.bias": [2] });
    const model = stateDictToModel(sd, arch("linear,tanh,linear"), "w.safetensors");
    expect(describeArchitecture(model.arch)).toBe("two-layer 3→4→2 tanh (+b, +c)");
    const x = [0.3, -1.2, 0.7];
    const W1 = sd.get("0.weight")!.data, b1 = sd.get("0.bias")!.data, W2 = sd.get("2.weight")!.data, b2 = sd.get("2.bias")!.data;
    const h = [0, 1, 2, 3].map((r) => Math.tanh(b1[r] + x.reduce((s, xi, c) => s + W1[r * 3 + c] * xi, 0)));
    const want = [0, 1].map((o) => b2[o] + h.reduce((s, hi, r) => s + W2[o * 4 + r] * hi, 0));
    const got = forward(model, { rows: 1, cols: 3, data: Float64Array.from(x) }).data;
    want.forEach((v, o) => expect(got[o]).toBeCloseTo(v, 14));
  });

  it("maps deeper bias-free Sequentials onto mlp, a single Linear onto mlp [d, k], adjacent Linears with the identity", () => {
    const deep = stateDictToModel(stateDict({ "0.weight": [5, 2], "2.weight": [4, 5], "4.weight": [1, 4] }), arch("linear,relu,linear,relu,linear"), "w");
    expect(describeArchitecture(deep.arch)).toBe("mlp 2→5→4→1 relu");
    const single = stateDictToModel(stateDict({ "1.weight": [3, 2] }), arch("flatten,linear"), "w");
    expect(describeArchitecture(single.arch)).toBe("mlp 2→3 linear");
    const adjacent = stateDictToModel(stateDict({ "0.weight": [5, 2], "2.weight": [1, 5] }), arch("linear,identity,linear"), "w");
    expect(adjacent.arch.activation.name).toBe("linear");
    expect(modelArch(adjacent)).toBe("linear,identity,linear");
  });

  it.each([
    ["a bias in a deep net", { "0.weight": [5, 2], "2.weight": [4, 5], "2.bias": [4], "4.weight": [1, 4] }, "linear,relu,linear,relu,linear",
      /w\.safetensors: 2\.bias: a Sequential with 3 Linear layers maps to the mlp kind, which is bias-free .* expected no bias/],
    ["a missing weight", { "0.weight": [5, 2] }, "linear,relu,linear", /2\.weight: missing: the Linear at 2 needs a weight of shape \[out, 5\] .* the state_dict holds 0\.weight \[5, 2\] F64/],
    ["a shape mismatch along the chain", { "0.weight": [5, 2], "2.weight": [1, 4] }, "linear,relu,linear", /2\.weight: has shape \[1, 4\], expected \[out, 5\]/],
    ["a transposed weight", { "0.weight": [2, 5], "2.weight": [1, 5] }, "linear,relu,linear", /2\.weight: has shape \[1, 5\], expected \[out, 2\]/],
    ["a BatchNorm's tensors", { "0.weight": [5, 2], "1.weight": [5], "1.bias": [5], "1.running_mean": [5], "3.weight": [1, 5] }, "linear,tanh,identity,linear",
      /1\.weight: belongs to no Linear of the architecture \(Linear layers at 0, 3; a BatchNorm/],
    ["a bias of the wrong length", { "0.weight": [5, 2], "0.bias": [4], "2.weight": [1, 5] }, "linear,relu,linear", /0\.bias: has shape \[4\], expected \[5\]/],
  ])("refuses %s, naming the tensor key and what was expected", (_what, shapes, archText, message) => {
    expect(inputError(() => stateDictToModel(stateDict(shapes as Record<string, number[]>), arch(archText), "w.safetensors")).message).toMatch(message);
  });

  it.each([
    ["relu,linear", /layer 0 \(relu\) comes before any Linear/],
    ["linear,relu,linear,sigmoid", /layer 3 \(sigmoid\) follows the last Linear; .* linear output/],
    ["linear,relu,tanh,linear", /layers 1 and 2 are two activations in a row/],
    ["linear,relu,linear,tanh,linear", /different activations \(relu at 1, tanh at 3\)/],
    ["linear,swishy,linear", /layer 1 \(swishy\): unknown activation "swishy"/],
    ["conv2d:3,relu,flatten,linear", /^--input-shape: a convolutional model needs its input shape/],
  ])("refuses the layer list %j", (archText, message) => {
    const sd = stateDict({ "0.weight": [5, 2], "2.weight": [1, 5], "4.weight": [1, 1] });
    expect(inputError(() => stateDictToModel(sd, arch(archText), "w")).message).toMatch(message);
  });

  it("checks print(model)'s bias flags and sizes against the tensors", () => {
    const repr = (bias: string, out = 5): string => `Sequential(\n  (0): Linear(in_features=2, out_features=${out}, bias=${bias})\n  (1): ReLU()\n  (2): Linear(in_features=5, out_features=1, bias=False)\n)`;
    const sd = stateDict({ "0.weight": [5, 2], "2.weight": [1, 5] });
    expect(inputError(() => stateDictToModel(sd, parseTorchRepr(repr("True"), "r"), "w")).message).toMatch(/0\.bias: missing, but the architecture says Linear\(…, bias=True\)/);
    expect(inputError(() => stateDictToModel(sd, parseTorchRepr(repr("False", 6), "r"), "w")).message).toMatch(/0\.weight: has shape \[5, 2\], expected \[6, 2\]/);
  });

  it("writes the PyTorch expression of the Sequential", () => {
    const m: Model = { arch: twoLayerArchitecture({ d: 3, m: 4, k: 1, activation: makeActivation("leaky_relu", 0.05), inputBias: true }), theta: new Float64Array(19) };
    expect(torchSequentialCode(m)).toBe("nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(0.05), nn.Linear(4, 1, bias=False))");
    expect(torchSequentialCode({ arch: mlpArchitecture([2, 3, 1], makeActivation("relu_power", 3)), theta: new Float64Array(9) })).toBeNull();
  });
});

describe("inputGradient", () => {
  it.each([
    ["two-layer tanh with biases, 3 outputs", twoLayerArchitecture({ d: 4, m: 6, k: 3, activation: makeActivation("tanh"), inputBias: true, outputBias: true })],
    ["mlp softplus 4→5→3→2", mlpArchitecture([4, 5, 3, 2], makeActivation("softplus"))],
    ["mlp gelu 4→3→1", mlpArchitecture([4, 3, 1], makeActivation("gelu"))],
  ])("%s: equals central differences of ⟨R, f⟩ in x (8th-order accurate)", (_name, a) => {
    const p = a.kind === "two-layer" ? a.d * a.m + a.m * a.k + a.m + a.k : a.widths.slice(1).reduce((s, w, l) => s + w * a.widths[l], 0);
    const model: Model = { arch: a, theta: Float64Array.from({ length: p }, (_, t) => Math.cos(3 * t + 1)) };
    const n = 3;
    const d = 4;
    const k = a.kind === "two-layer" ? a.k : a.widths[a.widths.length - 1];
    const X = { rows: n, cols: d, data: Float64Array.from({ length: n * d }, (_, t) => Math.sin(5 * t)) };
    const R = { rows: n, cols: k, data: Float64Array.from({ length: n * k }, (_, t) => 1 + 0.5 * Math.cos(t)) };
    const G = inputGradient(model, X, R).data;
    const f = (x: Float64Array, i: number): number => {
      const F = forward(model, { rows: 1, cols: d, data: x }).data;
      return F.reduce((s, v, c) => s + v * R.data[i * k + c], 0);
    };
    const h = 1e-2;
    const w = [4 / 5, -1 / 5, 4 / 105, -1 / 280];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        let fd = 0;
        w.forEach((c, s) => {
          const xp = Float64Array.from(X.data.subarray(i * d, (i + 1) * d));
          const xm = Float64Array.from(xp);
          xp[j] += (s + 1) * h;
          xm[j] -= (s + 1) * h;
          fd += (c * (f(xp, i) - f(xm, i))) / h;
        });
        expect(Math.abs(G[i * d + j] - fd)).toBeLessThan(1e-9);
      }
    }
  });
});
