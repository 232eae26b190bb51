import { InputError } from "../../common/errors.js";
import { fork, unitSphere } from "../../random/index.js";
import { numParam, optNumParam, strParam, type ParamValues } from "../params.js";
import { randomTeacher, teacherOutput, type TeacherNet } from "./teacherNet.js";
import { dParam, nParam, seedParam, teacherSeedParam, type GeneratorSpec } from "./types.js";

/** The teacher of `sphere`: ReLU of width m (see randomTeacher), or linear f(x) = wᵀx, w uniform on S^{d−1}. */
function sphereTeacher(p: ParamValues): TeacherNet {
  const d = numParam(p, "d");
  const rng = fork(optNumParam(p, "teacher_seed") ?? numParam(p, "seed"), "builtin:sphere/teacher");
  if (strParam(p, "teacher") === "linear") {
    const t = randomTeacher(rng, d, 1, "linear");
    return { ...t, a: Float64Array.of(1) };
  }
  return randomTeacher(rng, d, numParam(p, "m"), "relu");
}

/**
 * `sphere`: x uniform on the unit sphere S^{d−1}, label y = +1 if f(x) > 0 else −1 for a random
 * teacher f (ReLU two-layer of width m, or linear). With margin > 0, points with |f(x)| < margin
 * are redrawn (at most 100·n + 1000 draws in all, else InputError), so the data are separated
 * by the teacher with that functional margin.
 */
export const sphere: GeneratorSpec = {
  name: "sphere",
  description: "points uniform on the unit sphere S^{d−1}, labelled by the sign of a random ReLU or linear teacher",
  task: "classification",
  params: [
    nParam(),
    seedParam(),
    dParam(3, 2),
    { name: "teacher", kind: "enum", default: "relu", values: ["relu", "linear"], description: "teacher: two-layer ReLU of width m, or linear" },
    { name: "m", kind: "int", default: 4, min: 1, max: 1000, description: "width of the ReLU teacher (output weights (−1)^j/√m)" },
    { name: "margin", kind: "number", default: 0, min: 0, max: 1, maxOpen: true, description: "redraw points with |f(x)| < margin" },
    teacherSeedParam(),
  ],
  teacher: sphereTeacher,
  generate(p) {
    const n = numParam(p, "n");
    const d = numParam(p, "d");
    const margin = numParam(p, "margin");
    const teacher = sphereTeacher(p);
    const rng = fork(numParam(p, "seed"), "builtin:sphere");
    const X = new Float64Array(n * d);
    const Y = new Float64Array(n);
    const maxDraws = 100 * n + 1000;
    let draws = 0;
    for (let i = 0; i < n; i++) {
      const x = X.subarray(i * d, (i + 1) * d);
      for (;;) {
        if (++draws > maxDraws) {
          throw new InputError(`builtin:sphere`, `only ${i} of ${n} points with |f(x)| ≥ ${margin} in ${maxDraws} draws; lower the margin`, "margin");
        }
        unitSphere(rng, d, x);
        const f = teacherOutput(teacher, x);
        if (margin > 0 && Math.abs(f) < margin) continue;
        Y[i] = f > 0 ? 1 : -1;
        break;
      }
    }
    return { X: { rows: n, cols: d, data: X }, Y: { rows: n, cols: 1, data: Y } };
  },
};
