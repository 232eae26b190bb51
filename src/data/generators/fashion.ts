import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../common/errors.js";
import { readIdx, type IdxArray } from "../../io/index.js";
import { numParam, strParam, vecParam, type ParamValues } from "../params.js";
import { balancedClassSample, checkBalancedN, checkClasses } from "./classSample.js";
import { pcaParam, withPca } from "./pca.js";
import { nParam, seedParam, type GeneratorSpec } from "./types.js";

const WHERE = "builtin:fashion_mnist";
/** Where Debian's package dataset-fashion-mnist installs the files. */
export const FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
/** Class names by label (Xiao, Rasul & Vollgraf 2017). */
export const FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"] as const;

/** Images per class in each split (the data set is balanced). */
const FASHION_PER_CLASS: Readonly<Record<string, number>> = { train: 6000, test: 1000 };

/** The folder holding the IDX files: $SPLITSCAPE_FASHION_MNIST_DIR, else Debian's location. */
export function fashionMnistDir(): string {
  return process.env.SPLITSCAPE_FASHION_MNIST_DIR ?? FASHION_MNIST_DEBIAN_DIR;
}

interface FashionSplit {
  readonly images: IdxArray;
  /** Row indices of each class 0 … 9. */
  readonly byClass: Uint32Array[];
}

const cache = new Map<string, FashionSplit>();

/** Images and labels of one split ("train": 60,000, "test": 10,000), read once per folder. */
function fashionSplit(split: string): FashionSplit {
  const dir = fashionMnistDir();
  const prefix = split === "train" ? "train" : "t10k";
  const key = `${dir}/${prefix}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const imagesPath = join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const labelsPath = join(dir, `${prefix}-labels-idx1-ubyte.gz`);
  if (!existsSync(imagesPath) || !existsSync(labelsPath)) {
    throw new InputError(WHERE, `Fashion-MNIST is not installed: expected ${prefix}-images-idx3-ubyte.gz and ${prefix}-labels-idx1-ubyte.gz in ${dir} (Debian: apt-get install dataset-fashion-mnist; or set SPLITSCAPE_FASHION_MNIST_DIR to a folder holding the files)`);
  }
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.shape.length !== 3 || images.shape[1] * images.shape[2] !== 784) throw new InputError(imagesPath, `expected n × 28 × 28 images, got shape [${images.shape.join(", ")}]`);
  if (labels.shape.length !== 1 || labels.shape[0] !== images.shape[0]) throw new InputError(labelsPath, `expected ${images.shape[0]} labels, got shape [${labels.shape.join(", ")}]`);
  const counts = new Array<number>(10).fill(0);
  for (const l of labels.data) {
    if (l > 9) throw new InputError(labelsPath, `label ${l} is not a class 0…9`);
    counts[l]++;
  }
  const byClass = counts.map((c) => new Uint32Array(c));
  const at = new Array<number>(10).fill(0);
  labels.data.forEach((l, i) => (byClass[l][at[l]++] = i));
  const out = { images, byClass };
  cache.set(key, out);
  return out;
}

/**
 * `fashion_mnist`: Zalando's Fashion-MNIST (MIT; 28×28 grey images of 10 clothing classes, 60,000
 * train + 10,000 test) read from the IDX files of Debian's package dataset-fashion-mnist (or
 * $SPLITSCAPE_FASHION_MNIST_DIR); a clear error when they are absent. Classes, labels, balance,
 * sampling and `pca` as for `mnist`; pixels scaled to [0, 1] (byte / 255). The files are read only when data are generated, so
 * `data list` works without them.
 */
export const fashionMnist: GeneratorSpec = {
  name: "fashion_mnist",
  description: "Fashion-MNIST (Debian dataset-fashion-mnist, MIT): classes=0,9 (0 T-shirt … 9 ankle boot) → labels ±1; split=train|test; optional pca=k",
  task: "classification",
  params: [
    nParam(200),
    seedParam(),
    { name: "classes", kind: "vector", default: [0, 9], description: `classes by label (at least two): ${FASHION_CLASSES.map((c, i) => `${i} ${c}`).join(", ")}` },
    { name: "split", kind: "enum", default: "train", values: ["train", "test"], description: "the training (60,000) or test (10,000) images" },
    pcaParam(),
  ],
  check(p: ParamValues, source: string) {
    const classes = checkClasses(vecParam(p, "classes")!, 10, source, "classes");
    checkBalancedN(numParam(p, "n"), classes.map(() => FASHION_PER_CLASS[strParam(p, "split")]), source);
  },
  generate(p) {
    const split = strParam(p, "split");
    const data = fashionSplit(split);
    const odd = data.byClass.findIndex((rows) => rows.length !== FASHION_PER_CLASS[split]);
    if (odd >= 0) throw new InputError(WHERE, `class ${odd} of the ${split} split has ${data.byClass[odd].length} images in ${fashionMnistDir()}, Fashion-MNIST has ${FASHION_PER_CLASS[split]}`);
    const pools = vecParam(p, "classes")!.map((c) => ({ values: data.images.data, count: data.byClass[c].length, index: data.byClass[c] }));
    const out = balancedClassSample(pools, 784, 255, numParam(p, "n"), numParam(p, "seed"), WHERE);
    return withPca(out, p, WHERE);
  },
};
