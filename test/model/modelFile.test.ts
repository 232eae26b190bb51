/**
 * Model files: exact round trips (JSON numbers are shortest round-trip decimals) and validation
 * errors that name the file, the field and what was expected.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import {
  loadModel, makeActivation, mlpArchitecture, modelToJson, paramCount, parseModelJson, parseModelText,
  sameArchitecture, saveModel, twoLayerArchitecture, twoLayerParts, type Model,
} from "../../src/model/index.js";
import { lcg } from "./reference.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomModel(arch: Model["arch"], seed: number): Model {
  const u = lcg(seed);
  return { arch, theta: Float64Array.from({ length: paramCount(arch) }, () => u() * 10 ** Math.round(3 * u())) };
}

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error("expected an InputError");
}

describe("model files: round trip", () => {
  const archs = [
    twoLayerArchitecture({ d: 3, m: 4, activation: makeActivation("relu") }),
    twoLayerArchitecture({ d: 2, m: 3, activation: makeActivation("leaky_relu", 0.05), inputBias: true, outputBias: true }),
    twoLayerArchitecture({ d: 2, m: 3, k: 3, activation: makeActivation("relu_power", 3), outputBias: true }),
    twoLayerArchitecture({ d: 1, m: 1, k: 1, activation: makeActivation("gelu"), outputBias: true }),
    mlpArchitecture([2, 3, 2, 1], makeActivation("leaky_relu", 0.01)),
    mlpArchitecture([4, 2], makeActivation("tanh")),
  ];
  archs.forEach((arch, i) => {
    it(`${arch.kind} #${i}: save → load is exact`, () => {
      const model = randomModel(arch, i + 1);
      const path = join(dir, `m${i}.json`);
      saveModel(path, model);
      const back = loadModel(path);
      expect(sameArchitecture(back.arch, arch)).toBe(true);
      expect(Array.from(back.theta)).toEqual(Array.from(model.theta));
      expect(readFileSync(path, "utf8").endsWith("\n")).toBe(true);
      expect(parseModelJson(JSON.parse(JSON.stringify(modelToJson(model))), "x").theta).toEqual(model.theta);
    });
  });
  it("reads the INTERFACES.md examples and the θ layout W, a, b, c", () => {
    const m = parseModelJson({ kind: "two-layer", activation: "relu", W: [[1, 2], [3, 4], [5, 6]], a: [7, 8, 9], b: [10, 11, 12], c: 13 }, "f");
    expect(Array.from(m.theta)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    const parts = twoLayerParts(m.arch as ReturnType<typeof twoLayerArchitecture>, m.theta);
    expect(Array.from(parts.c!)).toEqual([13]);
    const v = parseModelJson({ kind: "two-layer", activation: "tanh", W: [[1], [2]], a: [[1, 2, 3], [4, 5, 6]], c: [7, 8, 9] }, "f");
    expect(v.arch.kind === "two-layer" && v.arch.k).toBe(3);
    expect(Array.from(v.theta)).toEqual([1, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const deep = parseModelJson({ kind: "mlp", activation: { name: "leaky_relu", slope: 0.01 }, weights: [[[1, 2], [3, 4], [5, 6]], [[7, 8, 9]]] }, "f");
    expect(deep.arch.kind === "mlp" && deep.arch.widths).toEqual([2, 3, 1]);
    expect(Array.from(deep.theta)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("model files: validation", () => {
  const base = { kind: "two-layer", activation: "relu", W: [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4]], a: [1, 2, 3, 4] };
  it("names the row and the expected length", () => {
    expect(inputError(() => parseModelJson(base, "net.json")).message).toBe("net.json: W: row 3 has 4 entries, expected 5 (the length of row 0)");
  });
  it("rejects non-finite and non-numeric entries", () => {
    const e = inputError(() => parseModelJson({ ...base, W: [[1, "NaN"]], a: [1] }, "net.json"));
    expect(e.message).toBe('net.json: W: row 0, entry 1 is not a finite number (got "NaN")');
    expect(inputError(() => parseModelJson({ ...base, W: [[1, null]], a: [1] }, "n")).message).toMatch(/entry 1 is not a finite number \(got null\)/);
    expect(inputError(() => parseModelText('{"kind":"two-layer","activation":"relu","W":[[1e400]],"a":[1]}', "n")).message).toMatch(/got Infinity/);
  });
  it("checks a, b, c against W", () => {
    expect(inputError(() => parseModelJson({ ...base, W: [[1], [2]], a: [1, 2, 3] }, "n")).message).toBe("n: a: has 3 entries, expected 2 (one per row of W)");
    expect(inputError(() => parseModelJson({ ...base, W: [[1], [2]], a: [1, 2], b: [1] }, "n")).message).toMatch(/b: has 1 entries, expected 2/);
    expect(inputError(() => parseModelJson({ ...base, W: [[1], [2]], a: [[1, 2], [3, 4]], c: 1 }, "n")).message).toMatch(/c: expected 2 numbers/);
    expect(inputError(() => parseModelJson({ kind: "two-layer", activation: "relu", W: [[1]] }, "n")).message).toMatch(/n: a: missing/);
  });
  it("lists the allowed activations and kinds", () => {
    expect(inputError(() => parseModelJson({ ...base, activation: "sin" }, "n")).message).toMatch(/unknown activation "sin"; allowed: relu, leaky_relu, linear, relu_power, tanh, sigmoid, softplus, gelu, swish, erf/);
    expect(inputError(() => parseModelJson({ ...base, kind: "cnn" }, "n")).message).toMatch(/kind: unknown model kind "cnn"; allowed: two-layer, mlp/);
    expect(inputError(() => parseModelJson({ kind: "mlp", weights: [[[1]]] }, "n")).message).toMatch(/activation: missing/);
  });
  it("checks the chain of MLP widths", () => {
    const e = inputError(() => parseModelJson({ kind: "mlp", activation: "relu", weights: [[[1, 2], [3, 4], [5, 6]], [[7, 8]]] }, "deep.json"));
    expect(e.message).toBe("deep.json: weights[1]: row 0 has 2 entries, expected 3 (W2 needs width_1 = 3 columns, the rows of weights[0])");
    expect(inputError(() => parseModelJson({ kind: "mlp", activation: "relu", weights: [] }, "n")).message).toMatch(/non-empty array/);
  });
  it("reports unreadable and malformed files", () => {
    expect(inputError(() => loadModel(join(dir, "nope.json"))).message).toMatch(/nope\.json: no such file, expected a model file/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    expect(inputError(() => loadModel(bad)).message).toMatch(/bad\.json: not valid JSON/);
    expect(inputError(() => parseModelJson([1, 2], "n")).message).toMatch(/expected a JSON object/);
  });
});
