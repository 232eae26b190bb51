import { InputError } from "../../src/common/errors.js";

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
