import { InputError } from "../../common/errors.js";
import { fork, normal, uniform, unitSphere, fillNormal } from "../../random/index.js";
import { numParam, optNumParam, strParam, type ParamValues } from "../params.js";
import { randomTeacher, teacherOutput, type TeacherActivation, type TeacherNet } from "./teacherNet.js";
import { dParam, nParam, seedParam, teacherSeedParam, type GeneratorSpec } from "./types.js";

function teacherNet(p: ParamValues): TeacherNet {
  const rng = fork(optNumParam(p, "teacher_seed") ?? numParam(p, "seed"), "builtin:teacher/teacher");
  return randomTeacher(rng, numParam(p, "d"), numParam(p, "m"), strParam(p, "activation") as TeacherActivation, numParam(p, "slope"));
}

/**
 * `teacher`: inputs x ~ N(0, I_d) (or uniform on S^{d−1} with input=sphere) and a random
 * two-layer teacher f(x) = Σ_j a_j σ(w_jᵀx) of width m (w_j uniform on S^{d−1}, a_j = (−1)^j/√m).
 * task=classification: y = +1 if f(x) > 0 else −1, flipped with probability `flip`;
 * task=regression: y = f(x) + noise·ε. Inputs, teacher and noise come from separate streams of
 * the seed, so X does not depend on noise/flip and the teacher not on n (teacher_seed fixes it).
 */
export const teacher: GeneratorSpec = {
  name: "teacher",
  description: "labels or regression targets from a random two-layer teacher network of width m",
  task: "classification|regression",
  params: [
    nParam(),
    seedParam(),
    dParam(2, 1),
    { name: "m", kind: "int", default: 3, min: 1, max: 1000, description: "width of the teacher" },
    { name: "activation", kind: "enum", default: "relu", values: ["relu", "tanh", "linear", "leaky_relu"], description: "activation σ of the teacher" },
    { name: "slope", kind: "number", default: 0.1, min: 0, max: 1, description: "negative-side slope of leaky_relu" },
    { name: "task", kind: "enum", default: "classification", values: ["classification", "regression"], description: "±1 labels sign f(x), or targets f(x)" },
    { name: "input", kind: "enum", default: "gaussian", values: ["gaussian", "sphere"], description: "input distribution: N(0, I_d) or uniform on S^{d−1}" },
    { name: "noise", kind: "number", default: 0, min: 0, max: 1e3, description: "regression: standard deviation of Gaussian noise added to f(x)" },
    { name: "flip", kind: "number", default: 0, min: 0, max: 0.5, description: "classification: probability of flipping each label" },
    teacherSeedParam(),
  ],
  check(p, source) {
    const task = strParam(p, "task");
    if (task === "classification" && numParam(p, "noise") > 0) {
      throw new InputError(source, "applies to task=regression only; use flip for label noise in classification", "noise");
    }
    if (task === "regression" && numParam(p, "flip") > 0) {
      throw new InputError(source, "applies to task=classification only; use noise for regression", "flip");
    }
  },
  teacher: teacherNet,
  generate(p) {
    const n = numParam(p, "n");
    const d = numParam(p, "d");
    const regression = strParam(p, "task") === "regression";
    const onSphere = strParam(p, "input") === "sphere";
    const noise = numParam(p, "noise");
    const flip = numParam(p, "flip");
    const net = teacherNet(p);
    const seed = numParam(p, "seed");
    const rng = fork(seed, "builtin:teacher");
    const noiseRng = fork(seed, "builtin:teacher/noise");
    const X = new Float64Array(n * d);
    const Y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = X.subarray(i * d, (i + 1) * d);
      if (onSphere) unitSphere(rng, d, x);
      else fillNormal(rng, x);
      const f = teacherOutput(net, x);
      if (regression) {
        Y[i] = noise > 0 ? f + noise * normal(noiseRng) : f;
      } else {
        let y = f > 0 ? 1 : -1;
        if (flip > 0 && uniform(noiseRng) < flip) y = -y;
        Y[i] = y;
      }
    }
    return { X: { rows: n, cols: d, data: X }, Y: { rows: n, cols: 1, data: Y } };
  },
};
