// PyTorch Sequentials of convolutions ↔ the conv model kind: the layer lists (ARCH, print(model)
// text) with Conv1d/Conv2d and AvgPool1d/AvgPool2d; the mapping against a naive evaluator of the
// Sequential by PyTorch's definitions (torchReference.ts); export → import; every mismatch an
// InputError naming the layer or key and what was expected; the input gradient of conv models
// against finite differences (the CNN fixture checks it against PyTorch: torchFixtures.test.ts).
import { describe, expect, it } from "vitest";
import { archToken, parseArch, parseTorchRepr, type LayerList, type Tensor } from "../../src/io/index.js";
import { convInputVjp, createConvWorkspace } from "../../src/model/conv/index.js";
import {
  describeArchitecture, forward, inputGradient, makeActivation, modelArch, modelLayers, modelToStateDict, stateDictToModel,
  torchSequentialCode, type Model,
} from "../../src/model/index.js";
import { convProblem, testArchitectures } from "../model/convCases.js";
import { fd8, lcg } from "../model/reference.js";
import { inputError, stateDict } from "./helpers.js";
import { refSequential } from "./torchReference.js";

const arch = (s: string): LayerList => parseArch(s, "--arch");

describe("layer lists with convolutions", () => {
  it("parses conv1d/conv2d and avgpool1d/avgpool2d tokens with HxW sizes, and writes them back", () => {
    const l = arch("conv2d:3x2:1x2:1x0,leaky_relu:0.1,avgpool2d:2:1:1,conv1d:5,avgpool1d:3:2,avgpool2d:2:2,flatten,linear").layers;
    expect(l[0]).toEqual({ kind: "conv", dims: 2, key: "0", kernel: [3, 2], stride: [1, 2], padding: [1, 0] });
    expect(l[2]).toEqual({ kind: "avgpool", dims: 2, key: "2", kernel: [2, 2], stride: [1, 1], padding: [1, 1] });
    expect(l[3]).toEqual({ kind: "conv", dims: 1, key: "3", kernel: [5], stride: [1], padding: [0] });
    expect(l[4]).toEqual({ kind: "avgpool", dims: 1, key: "4", kernel: [3], stride: [2], padding: [0] });
    expect(l.map(archToken)).toEqual(["conv2d:3x2:1x2:1x0", "leaky_relu:0.1", "avgpool2d:2:1:1", "conv1d:5:1:0", "avgpool1d:3:2", "avgpool2d:2", "flatten", "linear"]);
    for (const t of l.map(archToken)) expect(parseArch(t, "t").layers[0]).toEqual({ ...l[l.map(archToken).indexOf(t)], key: "0" });
  });

  it.each([
    ["conv1d", /expected conv1d:kernel\[:stride\[:padding\]\]/],
    ["conv2d:3:1:0:1", /expected conv2d:kernel\[:stride\[:padding\]\]/],
    ["conv1d:3x2", /kernel must be an integer ≥ 1, got "3x2"/],
    ["conv2d:3:0", /stride must be an integer ≥ 1 or HxW of them, got "0"/],
    ["avgpool2d:2x2x2", /kernel must be an integer ≥ 1 or HxW of them/],
    ["conv3d:3", /expected a layer \(linear, conv2d:k, conv1d:k, avgpool2d:k, avgpool1d:k, flatten\)/],
    ["flatten:1", /flatten takes no parameters/],
  ])("refuses ARCH %j", (text, message) => {
    expect(inputError(() => parseArch(text, "--arch")).message).toMatch(message);
  });

  it("parses what print(model) shows for Conv1d, Conv2d, AvgPool1d and AvgPool2d", () => {
    const text = `Sequential(
  (0): Conv1d(2, 3, kernel_size=(3,), stride=(2,), padding=(1,), bias=False)
  (1): LeakyReLU(negative_slope=0.1)
  (2): AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
  (3): Conv2d(3, 4, kernel_size=(3, 1), stride=(1, 1), padding=same, bias=False)
  (4): AvgPool2d(kernel_size=2, stride=1, padding=1)
  (5): Conv2d(4, 4, kernel_size=(3, 3), stride=(1, 1), padding=valid)
)`;
    const l = parseTorchRepr(text, "m.txt").layers;
    expect(l[0]).toEqual({ kind: "conv", dims: 1, key: "0", bias: false, kernel: [3], stride: [2], padding: [1], inChannels: 2, outChannels: 3 });
    expect(l[2]).toEqual({ kind: "avgpool", dims: 1, key: "2", kernel: [2], stride: [2], padding: [0] });
    expect(l[3]).toEqual({ kind: "conv", dims: 2, key: "3", bias: false, kernel: [3, 1], stride: [1, 1], padding: [1, 0], inChannels: 3, outChannels: 4 });
    expect(l[4]).toEqual({ kind: "avgpool", dims: 2, key: "4", kernel: [2, 2], stride: [1, 1], padding: [1, 1] });
    expect(l[5]).toMatchObject({ kind: "conv", bias: true, padding: [0, 0] });
  });

  it.each([
    ["Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), dilation=(2, 2), bias=False)", /dilation ≠ 1 is not supported/],
    ["Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), groups=2, bias=False)", /groups ≠ 1 is not supported/],
    ["Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False, padding_mode=reflect)", /padding_mode "reflect" is not supported \(zeros is\)/],
    ["Conv2d(1, 4, kernel_size=(2, 2), stride=(1, 1), padding=same, bias=False)", /padding='same' is supported for stride 1 and odd kernels only/],
    ["Conv1d(1, 4, kernel_size=(3, 3), stride=(1,), bias=False)", /kernel_size must be an integer ≥ 1 or a tuple \(k,\) of them, got \[3,3\]/],
    ["AvgPool2d(kernel_size=2, stride=2, padding=0, ceil_mode=True)", /ceil_mode=True is not supported/],
    ["AvgPool2d(kernel_size=3, stride=1, padding=1, count_include_pad=False)", /count_include_pad=False with padding is not supported/],
    ["MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", /no splitscape counterpart; supported modules: .*Conv1d, Conv2d, AvgPool1d, AvgPool2d, Flatten/],
    ["BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", /normalisation layers cannot be mapped/],
  ])("refuses print(model) with %s, naming the line", (module, message) => {
    const err = inputError(() => parseTorchRepr(`Sequential(\n  (0): ${module}\n  (1): Flatten(start_dim=1, end_dim=-1)\n)`, "m.txt"));
    expect(err.message).toMatch(/^m\.txt: line 2 \(/);
    expect(err.message).toMatch(message);
  });
});

/** Sequentials of every kind of layer the conv kind holds, with their state_dict shapes worked out by hand. */
const CASES: { name: string; arch: string; input: number[]; shapes: Record<string, number[]>; describe: string }[] = [
  {
    name: "2-D: a 3×2 kernel with stride (1, 2) and padding (1, 0), pooling with stride 1 and padding 1, 2 outputs",
    arch: "conv2d:3x2:1x2:1x0,leaky_relu:0.1,avgpool2d:2:1:1,conv2d:2:2:1,leaky_relu:0.1,flatten,linear",
    input: [2, 6, 5],
    // 2×6×5 → conv 3 → 3×6×2 → pool → 3×7×3 → conv 2 (2×2, s2, p1) → 2×4×2 = 16 features
    shapes: { "0.weight": [3, 2, 3, 2], "3.weight": [2, 3, 2, 2], "6.weight": [2, 16] },
    describe: "conv2d 2×6×5 → conv 3 3×2 s1×2 p1×0 → 3×6×2 → avgpool 2×2 s1×1 p1×1 → 3×7×3 → conv 2 2×2 s2×2 p1×1 → 2×4×2 → 2 leaky_relu(0.1)",
  },
  {
    name: "1-D: Conv1d with stride 2 and padding 1, AvgPool1d, Conv1d",
    arch: "conv1d:3:2:1,relu,avgpool1d:2,conv1d:2:2:1,relu,flatten,linear",
    input: [2, 9],
    // 2×9 → conv 3 → 3×5 → pool → 3×2 → conv 2 → 2×2 = 4 features
    shapes: { "0.weight": [3, 2, 3], "3.weight": [2, 3, 2], "6.weight": [1, 4] },
    describe: "conv1d 2×9 → conv 3 3 s2 p1 → 3×5 → avgpool 2 → 3×2 → conv 2 2 s2 p1 → 2×2 → 1 relu",
  },
  {
    name: "pooling before the first convolution, Dropout and Identity skipped, tanh",
    arch: "avgpool2d:2,identity,conv2d:3:1:1,tanh,dropout:0.5,flatten,linear",
    input: [1, 6, 6],
    shapes: { "2.weight": [2, 1, 3, 3], "6.weight": [1, 18] },
    describe: "conv2d 1×6×6 → avgpool 2×2 → 1×3×3 → conv 2 3×3 p1×1 → 2×3×3 → 1 tanh",
  },
  {
    name: "two convolutions with nothing between them (σ = linear)",
    arch: "conv2d:2,conv2d:2,flatten,linear",
    input: [1, 4, 4],
    shapes: { "0.weight": [3, 1, 2, 2], "1.weight": [2, 3, 2, 2], "3.weight": [1, 8] },
    describe: "conv2d 1×4×4 → conv 3 2×2 → 3×3×3 → conv 2 2×2 → 2×2×2 → 1 linear",
  },
  {
    name: "pooling only (a linear map), 3 outputs",
    arch: "avgpool2d:2,flatten,linear",
    input: [2, 4, 4],
    shapes: { "2.weight": [3, 8] },
    describe: "conv2d 2×4×4 → avgpool 2×2 → 2×2×2 → 3 linear",
  },
];

function inputs(d: number, n: number, seed: number): number[][] {
  const u = lcg(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => 1.5 * u()));
}

describe("state_dict → conv model", () => {
  it.each(CASES)("$name: computes the Sequential (naive PyTorch-definition reference, 1e-13)", (c) => {
    const sd = stateDict(c.shapes);
    const list = arch(c.arch);
    const model = stateDictToModel(sd, list, "w.safetensors", { inputShape: c.input });
    expect(describeArchitecture(model.arch)).toBe(c.describe);
    const d = c.input.reduce((p, s) => p * s, 1);
    const X = inputs(d, 4, 3);
    const F = forward(model, { rows: X.length, cols: d, data: Float64Array.from(X.flat()) });
    X.forEach((x, i) => {
      const want = refSequential(list.layers, sd, c.input, x);
      want.forEach((v, o) => expect(Math.abs(F.data[i * F.cols + o] - v), `sample ${i} output ${o}`).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(v))));
    });
  });

  it.each(CASES)("$name: export gives the same keys, shapes and bits, and the ARCH reads it back bit-exactly", (c) => {
    const sd = stateDict(c.shapes);
    const model = stateDictToModel(sd, arch(c.arch), "w", { inputShape: c.input });
    const exported = modelToStateDict(model);
    // Export numbers the modules 0, 1, 2, … without Identity/Dropout; the tensors in order are the same.
    expect(exported.map((t) => t.shape)).toEqual(Object.values(c.shapes));
    exported.forEach((t, q) => expect(Buffer.from(t.data.buffer).equals(Buffer.from(sd.get(Object.keys(c.shapes)[q])!.data.buffer))).toBe(true));
    const again = new Map(exported.map((t): [string, Tensor] => [t.key, { shape: [...t.shape], dtype: "F64", data: t.data }]));
    const back = stateDictToModel(again, parseArch(modelArch(model), "meta"), "mem", { inputShape: c.input });
    expect(back.arch).toEqual(model.arch);
    expect(Buffer.from(back.theta.buffer).equals(Buffer.from(model.theta.buffer))).toBe(true);
    expect(modelLayers(model).filter((l) => l.kind === "conv").every((l) => l.kind === "conv" && l.bias === false)).toBe(true);
  });

  it("writes the PyTorch code of the Sequential (sizes, stride and padding only where not PyTorch's default)", () => {
    const m = (c: number): Model => stateDictToModel(stateDict(CASES[c].shapes), arch(CASES[c].arch), "w", { inputShape: CASES[c].input });
    expect(torchSequentialCode(m(0))).toBe(
      "nn.Sequential(nn.Conv2d(2, 3, (3, 2), stride=(1, 2), padding=(1, 0), bias=False), nn.LeakyReLU(0.1), nn.AvgPool2d(2, stride=1, padding=1), " +
      "nn.Conv2d(3, 2, 2, stride=2, padding=1, bias=False), nn.LeakyReLU(0.1), nn.Flatten(), nn.Linear(16, 2, bias=False))",
    );
    expect(torchSequentialCode(m(1))).toBe(
      "nn.Sequential(nn.Conv1d(2, 3, 3, stride=2, padding=1, bias=False), nn.ReLU(), nn.AvgPool1d(2), nn.Conv1d(3, 2, 2, stride=2, padding=1, bias=False), nn.ReLU(), nn.Flatten(), nn.Linear(4, 1, bias=False))",
    );
    expect(torchSequentialCode(m(3))).toBe("nn.Sequential(nn.Conv2d(1, 3, 2, bias=False), nn.Identity(), nn.Conv2d(3, 2, 2, bias=False), nn.Identity(), nn.Flatten(), nn.Linear(8, 1, bias=False))");
    expect(modelArch(m(1))).toBe("conv1d:3:2:1,relu,avgpool1d:2,conv1d:2:2:1,relu,flatten,linear");
  });

  it("reads the print(model) text of a 1-D net as PyTorch prints it", () => {
    const text = `Sequential(
  (0): Conv1d(2, 3, kernel_size=(3,), stride=(2,), padding=(1,), bias=False)
  (1): ReLU()
  (2): AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
  (3): Conv1d(3, 2, kernel_size=(2,), stride=(2,), padding=(1,), bias=False)
  (4): ReLU()
  (5): Flatten(start_dim=1, end_dim=-1)
  (6): Linear(in_features=4, out_features=1, bias=False)
)`;
    const sd = stateDict(CASES[1].shapes);
    const fromRepr = stateDictToModel(sd, parseTorchRepr(text, "m.txt"), "w", { inputShape: [2, 9] });
    const fromArch = stateDictToModel(sd, arch(CASES[1].arch), "w", { inputShape: [2, 9] });
    expect(fromRepr).toEqual(fromArch);
  });
});

/** The CNN fixture's shapes: Conv2d(1→4, 3×3) · ReLU · Conv2d(4→6, 3×3, s2, p1) · ReLU · Flatten · Linear(54→1). */
const CNN = "conv2d:3,relu,conv2d:3:2:1,relu,flatten,linear";
const CNN_SHAPES = { "0.weight": [4, 1, 3, 3], "2.weight": [6, 4, 3, 3], "5.weight": [1, 54] };
const CNN_REPR = (conv0: string, linear = "Linear(in_features=54, out_features=1, bias=False)"): string => `Sequential(
  (0): ${conv0}
  (1): ReLU()
  (2): Conv2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)
  (3): ReLU()
  (4): Flatten(start_dim=1, end_dim=-1)
  (5): ${linear}
)`;

describe("conv mismatches are exit-2 errors naming the layer or key and what was expected", () => {
  it.each([
    ["a conv bias", { ...CNN_SHAPES, "0.bias": [4] }, CNN, [1, 7, 7],
      /^w: 0\.bias: a Conv2d bias, but the conv kind is bias-free; expected none — train with Conv2d\(…, bias=False\); the state_dict holds 0\.weight \[4, 1, 3, 3\] F64, 2\.weight/],
    ["a head bias", { ...CNN_SHAPES, "5.bias": [1] }, CNN, [1, 7, 7], /^w: 5\.bias: a Linear bias, but the conv kind is bias-free/],
    ["a BatchNorm's tensors", { "0.weight": [4, 1, 3, 3], "1.weight": [4], "1.bias": [4], "1.running_mean": [4], "3.weight": [6, 4, 3, 3], "6.weight": [1, 54] },
      "conv2d:3,identity,relu,conv2d:3:2:1,relu,flatten,linear", [1, 7, 7],
      /^w: 1\.weight: belongs to no layer of the architecture \(convolutions at 0, 3, the Linear head at 6; a BatchNorm or other parametrised module cannot be mapped\); the state_dict holds/],
    ["a kernel mismatch", CNN_SHAPES, "conv2d:5,relu,conv2d:3:2:1,relu,flatten,linear", [1, 7, 7],
      /^w: 0\.weight: has shape \[4, 1, 3, 3\], expected \[out, 1, 5, 5\] \(Conv2d\.weight is out_channels × in_channels × kh × kw\)/],
    ["a stride mismatch", CNN_SHAPES, "conv2d:3,relu,conv2d:3:1:1,relu,flatten,linear", [1, 7, 7],
      /^w: 5\.weight: has shape \[1, 54\], expected \[out, 150\] \(Linear\.weight is out×in; Flatten gives 150 features: 6×5×5 flattened at layer 4 for the input shape 1,7,7\)/],
    ["a padding mismatch", CNN_SHAPES, "conv2d:3,relu,conv2d:3:2:0,relu,flatten,linear", [1, 7, 7], /^w: 5\.weight: has shape \[1, 54\], expected \[out, 24\] .*6×2×2 flattened at layer 4/],
    ["a channel mismatch along the chain", { ...CNN_SHAPES, "2.weight": [6, 3, 3, 3] }, CNN, [1, 7, 7],
      /^w: 2\.weight: has shape \[6, 3, 3, 3\], expected \[out, 4, 3, 3\] .*: its input has 4 channel\(s\) \(the Conv2d at 0 has 4 output channels\)/],
    ["input channels that do not fit", CNN_SHAPES, CNN, [3, 7, 7], /^w: 0\.weight: has shape \[4, 1, 3, 3\], expected \[out, 3, 3, 3\] .*\(from the input shape 3,7,7\)/],
    ["an input shape that does not fit the features", CNN_SHAPES, CNN, [1, 9, 9], /^w: 5\.weight: has shape \[1, 54\], expected \[out, 96\] .*6×4×4 flattened at layer 4 for the input shape 1,9,9/],
    ["a flat input shape", CNN_SHAPES, CNN, [49], /^--input-shape: 49 has 1 entry; a Conv2d network takes C,H,W$/],
    ["a 2-D input shape for Conv1d", { "0.weight": [2, 1, 3], "3.weight": [1, 6] }, "conv1d:3,relu,flatten,linear", [1, 5, 5], /^--input-shape: 1,5,5 has 3 entries; a Conv1d network takes C,L$/],
    ["no input shape", CNN_SHAPES, CNN, undefined,
      /^--input-shape: a convolutional model needs its input shape, which a state_dict does not hold: give --input-shape C,H,W \(the first Conv2d, 0\.weight \[4, 1, 3, 3\], takes C = 1\)$/],
    ["a window larger than its input", CNN_SHAPES, CNN, [1, 2, 2], /^--arch: layer 0 \(conv2d:3:1:0\): does not fit its 1×2×2 input \(input shape 1,2,2\)$/],
    ["a window larger than its input further down", CNN_SHAPES, "conv2d:3,relu,conv2d:3:2:0,relu,flatten,linear", [1, 4, 4],
      /^--arch: layer 2 \(conv2d:3:2:0\): does not fit its 4×2×2 input \(input shape 1,4,4\)$/],
    ["pooling padding above half the kernel", { "2.weight": [1, 4] }, "avgpool2d:3:1:2,flatten,linear", [1, 2, 2], /^--arch: layer 0 \(avgpool2d:3:1:2\): padding \[2, 2\] must be at most half the kernel \[3, 3\]/],
    ["a missing weight", { "0.weight": [4, 1, 3, 3], "5.weight": [1, 54] }, CNN, [1, 7, 7], /^w: 2\.weight: missing: the Conv2d at 2 needs a weight of shape \[out, 4, 3, 3\]/],
  ])("%s", (_what, shapes, archText, input, message) => {
    const err = inputError(() => stateDictToModel(stateDict(shapes), arch(archText), "w", { inputShape: input }));
    expect(err.message).toMatch(message);
  });

  it.each([
    ["conv2d:3,avgpool2d:2,relu,flatten,linear", /^--arch: layer 2 \(relu\) follows the pooling layer 1 \(avgpool2d:2\); the conv kind applies σ only right after each convolution \(Conv → σ → AvgPool\)/],
    ["relu,conv2d:3,flatten,linear", /^--arch: layer 0 \(relu\) comes before any convolution/],
    ["conv2d:3,relu,tanh,flatten,linear", /layer 1 \(relu\) and layer 2 \(tanh\) are two activations in a row/],
    ["conv2d:3,relu,flatten,relu,linear", /layer 3 \(relu\) follows Flatten at 2; the conv kind has its Linear head right after Flatten/],
    ["conv2d:3,relu,linear", /layer 2 \(linear\) follows layer 1 \(relu\) without a Flatten; expected Conv\/AvgPool layers, then flatten and the Linear head/],
    ["linear,conv2d:3,relu,flatten,linear", /layer 0 \(linear\) comes before the convolutions/],
    ["conv2d:3,relu,flatten,linear,relu,linear", /layer 4 \(relu\) follows the Linear head at 3; the conv kind has one Linear, the head right after Flatten \(hidden Linear layers/],
    ["conv2d:3,relu,flatten,linear,sigmoid", /layer 4 \(sigmoid\) follows the Linear head at 3; splitscape's networks have a linear output/],
    ["conv2d:3,relu,conv1d:3,relu,flatten,linear", /layer 2 \(conv1d:3:1:0\) is 1-D but layer 0 \(conv2d:3:1:0\) is 2-D/],
    ["conv2d:3,relu,conv2d:3,tanh,flatten,linear", /the hidden layers use different activations \(relu at 1, tanh at 3\)/],
    ["conv2d:3,relu,conv2d:3,flatten,linear", /the hidden layers use different activations \(relu at 1, nothing \(identity\)\)/],
    ["conv2d:3,relu,flatten", /expected the Sequential to end with Flatten and a Linear head .*, got layer 2 \(flatten\) last/],
    ["flatten,conv2d:3,relu,flatten,linear", /layer 1 \(conv2d:3:1:0\) comes after Flatten at 0/],
    ["conv2d:3,relu,flatten,flatten,linear", /layer 3 \(flatten\) is a second Flatten/],
  ])("refuses the layer list %j", (archText, message) => {
    expect(inputError(() => stateDictToModel(stateDict(CNN_SHAPES), arch(archText), "w", { inputShape: [1, 7, 7] })).message).toMatch(message);
  });

  it.each([
    ["PyTorch's default bias=True", CNN_REPR("Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1))"), /^w: 0\.bias: absent, but the architecture says Conv2d\(…, bias=True\) at 0 .* expected bias=False/],
    ["in_channels", CNN_REPR("Conv2d(2, 4, kernel_size=(3, 3), stride=(1, 1), bias=False)"), /^w: 0\.weight: the architecture says Conv2d\(2, …\) at 0, but its input has 1 channel\(s\) \(from the input shape 1,7,7\)$/],
    ["out_channels", CNN_REPR("Conv2d(1, 5, kernel_size=(3, 3), stride=(1, 1), bias=False)"), /^w: 0\.weight: has shape \[4, 1, 3, 3\], expected \[5, 1, 3, 3\]/],
    ["in_features", CNN_REPR("Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), bias=False)", "Linear(in_features=50, out_features=1, bias=False)"),
      /^w: 5\.weight: the architecture says Linear\(in_features=50, …\) at 5, but Flatten gives 54 features: 6×3×3 flattened at layer 4 for the input shape 1,7,7$/],
  ])("checks print(model)'s %s against the tensors", (_what, text, message) => {
    expect(inputError(() => stateDictToModel(stateDict(CNN_SHAPES), parseTorchRepr(text, "m.txt"), "w", { inputShape: [1, 7, 7] })).message).toMatch(message);
  });
});

describe("inputGradient of conv models", () => {
  const smooth = testArchitectures(makeActivation("softplus")).concat(testArchitectures(makeActivation("tanh")).slice(0, 2));
  it.each(smooth.map((c) => [`${c.name} ${c.arch.activation.name}`, c.arch] as const))("%s: equals central differences of ⟨R, f⟩ in x (8th order)", (_name, a) => {
    const { model, data } = convProblem(a, "square", 11, 3);
    const { rows: n, cols: d } = data.X;
    const k = a.outputs;
    const u = lcg(5);
    const R = { rows: n, cols: k, data: Float64Array.from({ length: n * k }, () => u()) };
    const G = inputGradient(model, data.X, R).data;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const fd = fd8((t) => {
          const x = Float64Array.from(data.X.data.subarray(i * d, (i + 1) * d));
          x[j] += t;
          const F = forward(model, { rows: 1, cols: d, data: x }).data;
          return F.reduce((s, v, c) => s + v * R.data[i * k + c], 0);
        }, 1e-2);
        expect(Math.abs(G[i * d + j] - fd), `sample ${i} input ${j}`).toBeLessThan(1e-9);
        scale = Math.max(scale, Math.abs(fd));
      }
    }
    expect(scale).toBeGreaterThan(1e-3); // the gradient is not trivially zero
  });

  it("does not depend on the block size (one sample per block vs the whole batch)", () => {
    const a = testArchitectures(makeActivation("leaky_relu", 0.1))[0].arch;
    const { model, data } = convProblem(a, "square", 4, 7);
    const n = data.X.rows;
    const d = data.X.cols;
    const R = Float64Array.from({ length: n * a.outputs }, (_, t) => Math.cos(t));
    const one = new Float64Array(n * d);
    const all = new Float64Array(n * d);
    convInputVjp(createConvWorkspace(a, n, 1), model.theta, data.X.data, n, R, one);
    convInputVjp(createConvWorkspace(a, n, n), model.theta, data.X.data, n, R, all);
    one.forEach((v, t) => expect(Math.abs(v - all[t])).toBeLessThanOrEqual(1e-15 * (1 + Math.abs(v))));
    expect(Math.max(...all.map(Math.abs))).toBeGreaterThan(1e-3);
  });
});
