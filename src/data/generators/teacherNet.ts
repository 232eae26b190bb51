import type { Matrix } from "../../linalg/index.js";
import { type Rng, unitSphere, pmath } from "../../random/index.js";

/** Activations a teacher network can use. */
export type TeacherActivation = "relu" | "tanh" | "linear" | "leaky_relu";

/** A two-layer teacher f(x) = Σ_j a_j σ(w_jᵀx), bias-free. */
export interface TeacherNet {
  /** m×d first-layer weights, one unit per row. */
  readonly W: Matrix;
  /** m output weights. */
  readonly a: Float64Array;
  readonly activation: TeacherActivation;
  /** Negative-side slope of leaky_relu (unused otherwise). */
  readonly slope: number;
}

/**
 * σ(z): relu max(z, 0); leaky_relu z for z > 0 else slope·z; linear z; tanh via the portable
 * pmath.tanh (bit-identical across engines).
 *
 * @param activation - relu, leaky_relu, linear or tanh
 * @param slope - the negative-side slope of leaky_relu (ignored by the others)
 * @param z - the pre-activation
 * @returns σ(z)
 * @example
 * ```ts
 * import { activate } from "splitscape";
 * console.log(activate("leaky_relu", 0.1, -2)); // -0.2
 * ```
 */
export function activate(activation: TeacherActivation, slope: number, z: number): number {
  switch (activation) {
    case "relu":
      return z > 0 ? z : 0;
    case "leaky_relu":
      return z > 0 ? z : slope * z;
    case "linear":
      return z;
    case "tanh":
      return pmath.tanh(z);
  }
}

/**
 * A random teacher of width m on R^d: rows w_j uniform on the unit sphere S^{d−1} (drawn in
 * order j = 0…m−1 from `rng`), a_j = (−1)^j/√m (alternating signs, so that a ReLU teacher with
 * m ≥ 2 takes both signs).
 */
export function randomTeacher(rng: Rng, d: number, m: number, activation: TeacherActivation, slope = 0): TeacherNet {
  const W = new Float64Array(m * d);
  for (let j = 0; j < m; j++) unitSphere(rng, d, W.subarray(j * d, (j + 1) * d));
  const a = new Float64Array(m);
  const s = 1 / Math.sqrt(m);
  for (let j = 0; j < m; j++) a[j] = j % 2 === 0 ? s : -s;
  return { W: { rows: m, cols: d, data: W }, a, activation, slope };
}

/**
 * f(x) = Σ_j a_j σ(w_jᵀx) for one input x (length d), summed in index order.
 *
 * @param t - the teacher network
 * @param x - one input, length d
 * @returns f(x)
 * @example
 * ```ts
 * import { builtinTeacherNet, teacherOutput } from "splitscape";
 * const t = builtinTeacherNet("builtin:sphere?d=3&seed=2");
 * console.log(teacherOutput(t, [0, 0, 1]));
 * ```
 */
export function teacherOutput(t: TeacherNet, x: ArrayLike<number>): number {
  const { rows: m, cols: d, data } = t.W;
  let f = 0;
  for (let j = 0; j < m; j++) {
    let z = 0;
    for (let i = 0; i < d; i++) z += data[j * d + i] * x[i];
    f += t.a[j] * activate(t.activation, t.slope, z);
  }
  return f;
}

/** The teacher in the model-file format of INTERFACES.md (kind "two-layer"). */
export function teacherToModelJson(t: TeacherNet): { kind: "two-layer"; activation: string | { name: string; slope: number }; W: number[][]; a: number[] } {
  const W: number[][] = [];
  for (let j = 0; j < t.W.rows; j++) W.push(Array.from(t.W.data.subarray(j * t.W.cols, (j + 1) * t.W.cols)));
  const activation = t.activation === "leaky_relu" ? { name: "leaky_relu", slope: t.slope } : t.activation;
  return { kind: "two-layer", activation, W, a: Array.from(t.a) };
}
