import { InputError } from "../../src/common/errors.js";
import type { Tensor } from "../../src/io/index.js";

/** The InputError `f` throws (any other outcome fails the test). */
export function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError");
}

/** A state_dict of the given shapes with distinct deterministic entries sin(7q + t + 1) (q: key index, t: entry). */
export function stateDict(shapes: Record<string, number[]>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  Object.entries(shapes).forEach(([key, shape], q) => {
    const count = shape.reduce((p, s) => p * s, 1);
    out.set(key, { shape, dtype: "F64", data: Float64Array.from({ length: count }, (_, t) => Math.sin(7 * q + t + 1)) });
  });
  return out;
}
