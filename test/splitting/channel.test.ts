/**
 * Channel splitting of conv networks (splitting/channel.ts through splitMap / splitUnit), on 1-D and
 * 2-D nets with stride, padding and pooling between the split layer and its consumer.
 *
 * Tolerances (as in splitting.test.ts): T has one nonzero per row, TᵀT = diag(Σc_i²) exact up to
 * the rounding of K squares (≤ 4ε); the wide net's outputs and gradients differ from the narrow
 * one's only by re-associated sums of O(100) terms: relative 1e-13. The function check is made
 * against the naive nested-loop reference of test/model/convReference.ts, not the kernels alone.
 * GD commutation: ‖η_t − Tθ_t‖ stays at rounding level (1e-12 absolute for ‖θ‖ ≈ 3 over 30 steps).
 * Negative controls (a negative c_i, tanh) must miss by ≥ 1e-3.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import { gradientDescent } from "../../src/dynamics/index.js";
import {
  convGeometry, convWeights, forward, makeActivation, makeObjective, outputJacobian, paramCount, type Activation,
  type ConvArchitecture, type Model,
} from "../../src/model/index.js";
import {
  applyEmbedding, applyEmbeddingTranspose, composeEmbeddings, copyDivideSplit, embeddingChecks, isometryDefect,
  offImageDistance, splitMap, splitUnit,
} from "../../src/splitting/index.js";
import { testRng } from "../helpers/random.js";
import { convProblem, testArchitectures } from "../model/convCases.js";
import { refConvForward } from "../model/convReference.js";

const EPS = 2 ** -52;
const leaky = makeActivation("leaky_relu", 0.1);

function norm(v: Float64Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

/** The conv architectures with at least one conv layer, with which layers to split. */
function cases(act: Activation): { name: string; arch: ConvArchitecture; layers: number[] }[] {
  return testArchitectures(act).slice(0, 3).map(({ name, arch }) => ({
    name, arch, layers: arch.stages.filter((s) => s.type === "conv").map((_, i) => i + 1),
  }));
}

describe("channel splitting map T", () => {
  it("copy i of channel j gets c_i × its filter, and c_i × every downstream weight reading channel j", () => {
    const arch = testArchitectures(leaky)[0].arch; // conv(3) → avgpool → conv(2) → head
    const model = convProblem(arch, "logistic", 1).model;
    const c = [0.6, 0.8];
    // layer 1, channel 1: its consumer is conv 2 (through the pooling)
    const s1 = splitUnit(model, { layer: 1, unit: 1 }, c);
    const n1 = convWeights(arch, model.theta);
    const w1 = convWeights(s1.model.arch as ConvArchitecture, s1.model.theta);
    const kk1 = 2 * 3 * 2; // in·kh·kw of conv 1
    for (let t = 0; t < kk1; t++) {
      expect(w1.conv[0][1 * kk1 + t]).toBe(0.6 * n1.conv[0][1 * kk1 + t]);
      expect(w1.conv[0][3 * kk1 + t]).toBe(0.8 * n1.conv[0][1 * kk1 + t]); // appended as channel 3
      expect(w1.conv[0][0 * kk1 + t]).toBe(n1.conv[0][0 * kk1 + t]);
    }
    for (let o = 0; o < 2; o++) {
      for (let t = 0; t < 4; t++) { // kernel 2×2
        expect(w1.conv[1][(o * 4 + 1) * 4 + t]).toBe(0.6 * n1.conv[1][(o * 3 + 1) * 4 + t]);
        expect(w1.conv[1][(o * 4 + 3) * 4 + t]).toBe(0.8 * n1.conv[1][(o * 3 + 1) * 4 + t]);
        expect(w1.conv[1][(o * 4 + 2) * 4 + t]).toBe(n1.conv[1][(o * 3 + 2) * 4 + t]);
      }
    }
    expect(Array.from(w1.head)).toEqual(Array.from(n1.head));
    // layer 2, channel 0: its consumer is the head, at every spatial position
    const s2 = splitUnit(model, { layer: 2, unit: 0 }, c);
    const g = convGeometry(arch);
    const P = g.last.height * g.last.width;
    const w2 = convWeights(s2.model.arch as ConvArchitecture, s2.model.theta);
    for (let o = 0; o < arch.outputs; o++) {
      for (let p = 0; p < P; p++) {
        expect(w2.head[o * 3 * P + 0 * P + p]).toBe(0.6 * n1.head[o * 2 * P + 0 * P + p]);
        expect(w2.head[o * 3 * P + 2 * P + p]).toBe(0.8 * n1.head[o * 2 * P + 0 * P + p]);
        expect(w2.head[o * 3 * P + 1 * P + p]).toBe(n1.head[o * 2 * P + 1 * P + p]);
      }
    }
  });

  for (const act of [leaky, makeActivation("relu")]) {
    for (const { name, arch, layers } of cases(act)) {
      for (const layer of layers) {
        for (const c of [[0.6, 0.8], [0.36, 0.48, 0.8], [1]]) {
          it(`${act.name} · ${name} · layer ${layer}, c = [${c}]: isometry, function (naive reference) and gradient preserved`, () => {
            const { model, X, data } = convProblem(arch, "logistic", 10 + layer);
            const { model: wide, map: T } = splitUnit(model, { layer, unit: 0 }, c);
            expect(isometryDefect(T)).toBeLessThanOrEqual(4 * EPS);
            expect(Math.abs(norm(wide.theta) - norm(model.theta))).toBeLessThanOrEqual(8 * EPS * norm(model.theta));
            const back = applyEmbeddingTranspose(T, wide.theta);
            for (let t = 0; t < back.length; t++) expect(Math.abs(back[t] - model.theta[t])).toBeLessThanOrEqual(4 * EPS * Math.abs(model.theta[t]));
            const narrowRef = X.flatMap((x) => refConvForward(arch, model.theta, x).out);
            const wideRef = X.flatMap((x) => refConvForward(wide.arch as ConvArchitecture, wide.theta, x).out);
            const scale = Math.max(...narrowRef.map(Math.abs));
            for (let t = 0; t < narrowRef.length; t++) expect(Math.abs(wideRef[t] - narrowRef[t])).toBeLessThanOrEqual(1e-13 * scale);
            const checks = embeddingChecks(T, model, { data: data.X, preservationTol: 1e-13 });
            expect(checks.functionPreserved && checks.gradientPreserved && checks.isometryHolds).toBe(true);
          });
        }
      }
    }
  }

  it("∇ℒ̃(Tθ) = T∇ℒ(θ) for the loss, and GD commutes with T over 30 steps (η_t = Tθ_t, no drift off the image)", () => {
    for (const { arch, layers } of cases(leaky)) {
      const { model, data } = convProblem(arch, "exponential", 31, 6);
      const T = splitMap(arch, { layer: layers[layers.length - 1], unit: 1 }, [0.6, 0.8]);
      const narrowObj = makeObjective(arch, data, "exponential", { mean: true });
      const wideObj = makeObjective(T.to, data, "exponential", { mean: true });
      const g = new Float64Array(narrowObj.dim);
      const gw = new Float64Array(wideObj.dim);
      narrowObj.evaluate(model.theta, g);
      wideObj.evaluate(applyEmbedding(T, model.theta), gw);
      const Tg = applyEmbedding(T, g);
      for (let t = 0; t < gw.length; t++) expect(Math.abs(gw[t] - Tg[t])).toBeLessThanOrEqual(1e-13 * Math.max(...Tg.map(Math.abs)));
      const steps = 30;
      const narrow: Float64Array[] = [];
      gradientDescent(narrowObj, model.theta, { lr: 0.05, stop: { maxSteps: steps }, onStep: (_p, th) => { narrow.push(Float64Array.from(th)); } });
      let worst = 0;
      let drift = 0;
      let idx = 0;
      gradientDescent(wideObj, applyEmbedding(T, model.theta), {
        lr: 0.05, stop: { maxSteps: steps },
        onStep: (_p, eta) => {
          const Tt = applyEmbedding(T, narrow[idx++]);
          worst = Math.max(worst, norm(eta.map((v, i) => v - Tt[i])));
          drift = Math.max(drift, offImageDistance(T, eta));
        },
      });
      expect(idx).toBe(narrow.length);
      expect(narrow.length).toBeGreaterThanOrEqual(steps);
      expect(worst).toBeLessThanOrEqual(1e-12);
      expect(drift).toBeLessThanOrEqual(1e-12);
      // and the trajectory moved: the test is not comparing two fixed points
      expect(norm(narrow[narrow.length - 1].map((v, i) => v - model.theta[i]))).toBeGreaterThan(1e-3);
    }
  });

  it("splitting every channel of a layer (the embedding paper's 2 → 4 channels) composes and preserves everything", () => {
    const arch = testArchitectures(leaky)[1].arch; // 1-D, conv(3) → pool → conv(2)
    const { model, data } = convProblem(arch, "logistic", 41);
    const c = [Math.SQRT1_2, Math.SQRT1_2];
    let T = splitMap(arch, { layer: 1, unit: 0 }, c);
    for (let j = 1; j < 3; j++) T = composeEmbeddings(splitMap(T.to, { layer: 1, unit: j }, c), T);
    expect(T.to.kind === "conv" && T.to.stages[0].type === "conv" && T.to.stages[0].channels).toBe(6);
    const checks = embeddingChecks(T, model, { data: data.X, preservationTol: 1e-13, isometryTol: 4 * EPS });
    expect(checks.isometryHolds && checks.functionPreserved && checks.gradientPreserved).toBe(true);
  });

  it("negative controls: a negative c_i (ReLU) or a non-homogeneous σ (tanh) break function preservation; copy-and-divide keeps tanh", () => {
    const arch = testArchitectures(makeActivation("relu"))[0].arch;
    const { model, data } = convProblem(arch, "logistic", 51);
    const neg = splitMap(arch, { layer: 1, unit: 0 }, [-0.6, 0.8], { allowNegative: true });
    expect(embeddingChecks(neg, model, { data: data.X }).functionData!.relative).toBeGreaterThan(1e-3);
    const tanhArch = testArchitectures(makeActivation("tanh"))[0].arch;
    const tanhModel = convProblem(tanhArch, "logistic", 52).model;
    const T = splitMap(tanhArch, { layer: 1, unit: 0 }, [0.6, 0.8]);
    expect(embeddingChecks(T, tanhModel, { data: data.X }).functionData!.relative).toBeGreaterThan(1e-3);
    const cd = copyDivideSplit(tanhModel, { layer: 1, unit: 0 }, [0.3, 0.7]);
    const narrow = forward(tanhModel, data.X).data;
    const wide = forward(cd.model, data.X).data;
    for (let t = 0; t < narrow.length; t++) expect(Math.abs(wide[t] - narrow[t])).toBeLessThanOrEqual(1e-13 * Math.max(...narrow.map(Math.abs)));
    expect(isometryDefect(cd.map)).toBeGreaterThan(0.1);
  });

  it("rejects an out-of-range conv layer or channel and bad coefficients with an InputError", () => {
    const arch = testArchitectures(leaky)[0].arch;
    expect(() => splitMap(arch, { layer: 3, unit: 0 }, [0.6, 0.8])).toThrow(InputError);
    expect(() => splitMap(arch, { layer: 3, unit: 0 }, [0.6, 0.8])).toThrow(/hidden layers 1\.\.2/);
    expect(() => splitMap(arch, { layer: 2, unit: 2 }, [0.6, 0.8])).toThrow(/units 0\.\.1/);
    expect(() => splitMap(arch, { layer: 1, unit: 0 }, [0.6, 0.7])).toThrow(/Σc_i² = /);
    const noConv = testArchitectures(leaky)[3].arch;
    expect(() => splitMap(noConv, { layer: 1, unit: 0 }, [0.6, 0.8])).toThrow(/hidden layers 1\.\.0/);
  });

  it("Jacobian rows map like gradients: J̃(Tθ) = J(θ)Tᵀ on random inputs", () => {
    const arch = testArchitectures(leaky)[0].arch;
    const model: Model = { arch, theta: testRng(61).randnVec(paramCount(arch)) };
    const T = splitMap(arch, { layer: 2, unit: 1 }, [0.8, 0.6]);
    const X = { rows: 3, cols: 60, data: testRng(62).randnVec(180) };
    const J = outputJacobian(model, X);
    const Jw = outputJacobian({ arch: T.to, theta: applyEmbedding(T, model.theta) }, X);
    let worst = 0;
    let scale = 0;
    for (let r = 0; r < J.rows; r++) {
      const mapped = applyEmbedding(T, J.data.subarray(r * J.cols, (r + 1) * J.cols));
      for (let i = 0; i < Jw.cols; i++) {
        worst = Math.max(worst, Math.abs(Jw.data[r * Jw.cols + i] - mapped[i]));
        scale = Math.max(scale, Math.abs(mapped[i]));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-13 * scale);
  });
});
