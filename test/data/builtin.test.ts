import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/common/errors.js";
import { fashionMnistDir } from "../../src/data/generators/fashion.js";
import { builtinTeacher, builtinTeacherNet, GENERATORS, labels, listGenerators, makeBuiltin, resolveBuiltin, teacherOutput, type Dataset } from "../../src/data/index.js";
import { parseAddress } from "../../src/data/address.js";

function bits(ds: Dataset): string {
  return Buffer.from(ds.X.data.buffer).toString("hex") + "|" + Buffer.from(ds.Y.data.buffer).toString("hex");
}

function errorOf(address: string): string {
  try {
    makeBuiltin(address);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error("expected an InputError");
}

const row = (ds: Dataset, i: number) => ds.X.data.subarray(i * ds.X.cols, (i + 1) * ds.X.cols);

describe("builtin addresses", () => {
  it("parses names and key=value pairs", () => {
    const a = parseAddress("builtin:blobs?n=100&std=0.8&seed=1");
    expect(a.name).toBe("blobs");
    expect([...a.params]).toEqual([["n", "100"], ["std", "0.8"], ["seed", "1"]]);
    expect(parseAddress("moons").params.size).toBe(0);
    expect(parseAddress("blobs?mu=1%2C2").params.get("mu")).toBe("1,2");
  });

  it("rejects unknown names, unknown keys and out-of-range values, naming the key and what is allowed", () => {
    expect(errorOf("builtin:nope")).toBe("builtin:nope: unknown generator; available: blobs, xor, circles, moons, spirals, sphere, teacher, sin, mnist, fashion_mnist, iris");
    expect(errorOf("builtin:blobs?sdt=1")).toBe("builtin:blobs: sdt: unknown parameter; allowed: n, seed, d, mu, mu_neg, std");
    expect(errorOf("builtin:blobs?std=-1")).toBe('builtin:blobs: std: expected a number in [0, 1000], got "-1"');
    expect(errorOf("builtin:blobs?n=0")).toBe('builtin:blobs: n: expected an integer in [1, 1000000], got "0"');
    expect(errorOf("builtin:blobs?n=2.5")).toMatch(/n: expected an integer/);
    expect(errorOf("builtin:blobs?n=abc")).toMatch(/n: expected an integer .* got "abc"/);
    expect(errorOf("builtin:circles?factor=1")).toBe('builtin:circles: factor: expected a number in (0, 1), got "1"');
    expect(errorOf("builtin:teacher?activation=elu")).toBe('builtin:teacher: activation: expected one of relu, tanh, linear, leaky_relu, got "elu"');
    expect(errorOf("builtin:sin?d=1")).toMatch(/sin: d: expected an integer in \[2, 10000\]/);
    expect(errorOf("builtin:blobs?mu=1,x")).toMatch(/mu: expected comma-separated finite numbers/);
    expect(errorOf("builtin:blobs?mu=1,2,3")).toBe("builtin:blobs: mu: has 3 entries, expected 1 (a multiple of e₁) or d = 2");
    expect(errorOf("builtin:blobs?n=1&n=2")).toMatch(/n: given twice/);
    expect(errorOf("builtin:blobs?n")).toMatch(/expected key=value, got "n"/);
    expect(errorOf("builtin:blobs?n=")).toMatch(/n: empty value/);
    expect(errorOf("builtin:Blobs")).toMatch(/lower-case/);
    expect(errorOf("builtin:teacher?noise=0.5")).toMatch(/teacher: noise: applies to task=regression only/);
    expect(errorOf("builtin:teacher?task=regression&flip=0.1")).toMatch(/flip: applies to task=classification only/);
    expect(errorOf("builtin:sphere?teacher=linear&margin=0.999&n=50")).toMatch(/sphere: margin: only \d+ of 50 points/);
    expect(errorOf("builtin:blobs?n=1000000&d=10000")).toMatch(/n: the dataset \(n = 1000000, d = 10000\) needs about 149 GB .* raise it with --max-memory/);
  });

  it("canonical source lists every parameter and regenerates identical data; overrides replace keys", () => {
    const r = resolveBuiltin("builtin:blobs?std=0.8");
    expect(r.address).toBe("builtin:blobs?n=100&seed=0&d=2&mu=2&std=0.8");
    const ds = makeBuiltin("builtin:blobs?std=0.8");
    expect(ds.source).toBe(r.address);
    expect(bits(makeBuiltin(ds.source))).toBe(bits(ds));
    const o = makeBuiltin("builtin:blobs?n=5", new Map([["n", "7"], ["seed", "3"]]));
    expect(o.source).toBe("builtin:blobs?n=7&seed=3&d=2&mu=2&std=0.5");
    expect(resolveBuiltin("builtin:blobs?mu=1,2&mu_neg=0,0").address).toBe("builtin:blobs?n=100&seed=0&d=2&mu=1,2&mu_neg=0,0&std=0.5");
  });

  it("lists every generator with parameters, defaults and ranges", () => {
    const list = listGenerators();
    expect(list.map((g) => g.name)).toEqual(["blobs", "xor", "circles", "moons", "spirals", "sphere", "teacher", "sin", "mnist", "fashion_mnist", "iris"]);
    for (const g of list) {
      expect(g.description.length).toBeGreaterThan(10);
      expect(g.params.slice(0, 2).map((p) => p.name)).toEqual(["n", "seed"]);
      for (const p of g.params) expect(p.allowed.length).toBeGreaterThan(0);
    }
    const teacher = list.find((g) => g.name === "teacher")!;
    expect(teacher.params.find((p) => p.name === "activation")).toMatchObject({ default: "relu", values: ["relu", "tanh", "linear", "leaky_relu"] });
    expect(teacher.params.find((p) => p.name === "teacher_seed")).toMatchObject({ default: "seed" });
  });
});

describe("builtin generators", () => {
  const classification = ["blobs", "xor", "circles", "moons", "spirals", "sphere", "teacher", "mnist", "fashion_mnist", "iris"];
  // fashion_mnist reads Debian's dataset-fashion-mnist, which CI does not install (test/data/realData.test.ts).
  const available = GENERATORS.filter((g) => g.name !== "fashion_mnist" || existsSync(join(fashionMnistDir(), "train-images-idx3-ubyte.gz")));

  it("are deterministic (same address → bit-identical), seed-sensitive, and prefix-stable in n", () => {
    for (const g of available) {
      const a = makeBuiltin(`${g.name}?n=40&seed=5`);
      expect(bits(makeBuiltin(`${g.name}?n=40&seed=5`))).toBe(bits(a));
      expect(bits(makeBuiltin(`${g.name}?n=40&seed=6`))).not.toBe(bits(a));
      const b = makeBuiltin(`${g.name}?n=60&seed=5`);
      expect(Array.from(b.X.data.subarray(0, a.X.data.length))).toEqual(Array.from(a.X.data));
      expect(Array.from(b.Y.data.subarray(0, 40))).toEqual(Array.from(a.Y.data));
    }
  });

  it("pin a few values (a change here changes every stored run)", () => {
    expect(Array.from(makeBuiltin("builtin:blobs?n=4&seed=1").X.data)).toEqual([
      0.908430044729468, 0.4593464914482726, -2.124352900836571, -0.2853721531419886,
      1.3583403908116285, 0.977829803161206, -2.654842716105512, -1.6990848810365757,
    ]);
    expect(Array.from(makeBuiltin("builtin:sin?n=3").Y.data)).toEqual([0.7745515533333052, -1.3924162231812844, 1.5210254106925674]);
    expect(Array.from(makeBuiltin("builtin:spirals?n=2").X.data)).toEqual([
      0.3380252662445349, -0.5101545042834906, 0.4335100237174653, 0.13358336035990395,
    ]);
  });

  it("have the documented shapes and ±1 labels for classification", () => {
    const shapes: Record<string, [number, number]> = {
      blobs: [7, 2], xor: [7, 2], circles: [7, 2], moons: [7, 2], spirals: [7, 2], sphere: [7, 3], teacher: [7, 2], sin: [7, 2],
      mnist: [7, 784], fashion_mnist: [7, 784], iris: [7, 4],
    };
    for (const g of available) {
      const ds = makeBuiltin(`${g.name}?n=7`);
      expect([ds.X.rows, ds.X.cols, ds.Y.rows, ds.Y.cols]).toEqual([...shapes[g.name], 7, 1]);
      if (classification.includes(g.name)) expect(() => labels(ds)).not.toThrow();
    }
    expect(makeBuiltin("blobs?d=5&n=3").X.cols).toBe(5);
    expect(makeBuiltin("xor?d=4&n=3").X.cols).toBe(4);
    expect(makeBuiltin("sphere?d=6&n=3").X.cols).toBe(6);
    expect(makeBuiltin("teacher?d=9&n=3").X.cols).toBe(9);
    expect(makeBuiltin("sin?d=3&n=3").X.cols).toBe(3);
  });

  it("blobs: classes alternate, centres and std as set (means within 5σ)", () => {
    const n = 4000;
    const std = 0.7;
    const ds = makeBuiltin(`blobs?n=${n}&d=2&mu=1,3&mu_neg=-2,0.5&std=${std}&seed=2`);
    const mean = { 1: [0, 0], [-1]: [0, 0] } as Record<number, number[]>;
    for (let i = 0; i < n; i++) {
      const y = ds.Y.data[i];
      expect(y).toBe(i % 2 === 0 ? 1 : -1);
      mean[y][0] += ds.X.data[2 * i] / (n / 2);
      mean[y][1] += ds.X.data[2 * i + 1] / (n / 2);
    }
    const tol = 5 * std / Math.sqrt(n / 2);
    expect(Math.abs(mean[1][0] - 1)).toBeLessThan(tol);
    expect(Math.abs(mean[1][1] - 3)).toBeLessThan(tol);
    expect(Math.abs(mean[-1][0] + 2)).toBeLessThan(tol);
    expect(Math.abs(mean[-1][1] - 0.5)).toBeLessThan(tol);
    const s0 = makeBuiltin("blobs?n=4&std=0&mu=3");
    expect(Array.from(s0.X.data)).toEqual([3, 0, -3, 0, 3, 0, -3, 0]);
  });

  it("xor: label = sign(x₁x₂) for well-separated clusters; std=0 gives the four corners", () => {
    const ds = makeBuiltin("xor?n=400&std=0.1");
    for (let i = 0; i < 400; i++) expect(ds.Y.data[i]).toBe(Math.sign(ds.X.data[2 * i] * ds.X.data[2 * i + 1]));
    expect(Array.from(makeBuiltin("xor?n=4&std=0").X.data)).toEqual([1, 1, 1, -1, -1, -1, -1, 1]);
  });

  it("circles and moons: points on the curves when noise = 0", () => {
    const c = makeBuiltin("circles?n=50&noise=0&factor=0.3");
    for (let i = 0; i < 50; i++) {
      const r = Math.hypot(c.X.data[2 * i], c.X.data[2 * i + 1]);
      expect(r).toBeCloseTo(c.Y.data[i] > 0 ? 0.3 : 1, 14);
    }
    const m = makeBuiltin("moons?n=50&noise=0");
    for (let i = 0; i < 50; i++) {
      const [x, y] = [m.X.data[2 * i], m.X.data[2 * i + 1]];
      if (m.Y.data[i] > 0) {
        expect(Math.hypot(x, y)).toBeCloseTo(1, 14);
        expect(y).toBeGreaterThanOrEqual(0);
      } else {
        expect(Math.hypot(1 - x, 0.5 - y)).toBeCloseTo(1, 14);
        expect(y).toBeLessThanOrEqual(0.5);
      }
    }
  });

  it("spirals: with noise 0, radius r = 0.1 + 0.9u and angle θ = 2π·turns·u agree", () => {
    const turns = 2;
    const s = makeBuiltin(`spirals?n=60&noise=0&turns=${turns}`);
    for (let i = 0; i < 60; i++) {
      const y = s.Y.data[i];
      const [x1, x2] = [y * s.X.data[2 * i], y * s.X.data[2 * i + 1]]; // rotate class −1 back by π
      const u = (Math.hypot(x1, x2) - 0.1) / 0.9;
      const theta = 2 * Math.PI * turns * u;
      expect(x1).toBeCloseTo((0.1 + 0.9 * u) * Math.cos(theta), 12);
      expect(x2).toBeCloseTo((0.1 + 0.9 * u) * Math.sin(theta), 12);
    }
  });

  it("sphere: unit norms; labels are the sign of the teacher; margin is honoured", () => {
    const ds = makeBuiltin("sphere?n=300&d=4&m=5&margin=0.05&seed=3");
    const net = builtinTeacherNet("sphere?n=300&d=4&m=5&margin=0.05&seed=3");
    for (let i = 0; i < 300; i++) {
      const x = row(ds, i);
      expect(Math.abs(Math.hypot(...x) - 1)).toBeLessThan(1e-15);
      const f = teacherOutput(net, x);
      expect(Math.abs(f)).toBeGreaterThanOrEqual(0.05);
      expect(ds.Y.data[i]).toBe(f > 0 ? 1 : -1);
    }
    const lin = makeBuiltin("sphere?teacher=linear&n=100&d=3");
    const w = builtinTeacher("sphere?teacher=linear&d=3").W[0];
    for (let i = 0; i < 100; i++) {
      const x = row(lin, i);
      expect(lin.Y.data[i]).toBe(w[0] * x[0] + w[1] * x[1] + w[2] * x[2] > 0 ? 1 : -1);
    }
    // teacher_seed fixes the teacher while the samples change
    const t1 = builtinTeacher("sphere?seed=1&teacher_seed=9");
    const t2 = builtinTeacher("sphere?seed=2&teacher_seed=9");
    expect(t1).toEqual(t2);
    expect(bits(makeBuiltin("sphere?seed=1&teacher_seed=9"))).not.toBe(bits(makeBuiltin("sphere?seed=2&teacher_seed=9")));
  });

  it("teacher: outputs equal an independent forward pass of the exported teacher model", () => {
    for (const act of ["relu", "tanh", "linear", "leaky_relu"]) {
      const address = `teacher?task=regression&activation=${act}&m=4&d=3&n=50&slope=0.2`;
      const ds = makeBuiltin(address);
      const model = builtinTeacher(address);
      expect(model.kind).toBe("two-layer");
      expect(model.W.length).toBe(4);
      for (const w of model.W) expect(Math.hypot(...w)).toBeCloseTo(1, 14);
      expect(model.a).toEqual([0.5, -0.5, 0.5, -0.5]);
      const sigma = (z: number) =>
        act === "relu" ? Math.max(z, 0) : act === "tanh" ? Math.tanh(z) : act === "linear" ? z : z > 0 ? z : 0.2 * z;
      for (let i = 0; i < 50; i++) {
        const x = row(ds, i);
        let f = 0;
        for (let j = 0; j < 4; j++) f += model.a[j] * sigma(model.W[j][0] * x[0] + model.W[j][1] * x[1] + model.W[j][2] * x[2]);
        expect(Math.abs(ds.Y.data[i] - f)).toBeLessThan(1e-14);
      }
    }
    expect(builtinTeacher("teacher?activation=leaky_relu&slope=0.3").activation).toEqual({ name: "leaky_relu", slope: 0.3 });
    // classification labels are the sign of the regression targets of the same address
    const reg = makeBuiltin("teacher?task=regression&n=80&seed=4");
    const cls = makeBuiltin("teacher?task=classification&n=80&seed=4");
    for (let i = 0; i < 80; i++) expect(cls.Y.data[i]).toBe(reg.Y.data[i] > 0 ? 1 : -1);
    // flip changes about `flip` of the labels and leaves the inputs unchanged
    const flipped = makeBuiltin("teacher?n=4000&flip=0.2&seed=4");
    const clean = makeBuiltin("teacher?n=4000&seed=4");
    expect(Array.from(flipped.X.data)).toEqual(Array.from(clean.X.data));
    let changed = 0;
    for (let i = 0; i < 4000; i++) if (flipped.Y.data[i] !== clean.Y.data[i]) changed++;
    expect(Math.abs(changed / 4000 - 0.2)).toBeLessThan(5 * Math.sqrt(0.2 * 0.8 / 4000));
    expect(() => builtinTeacher("blobs")).toThrow(/has no teacher network/);
  });

  it("sin: y = sin(x₁) + 0.5·x₂ (to a few ulp of Math.sin), inputs N(0, std²)", () => {
    const ds = makeBuiltin("sin?n=2000&d=3&std=2");
    let s2 = 0;
    for (let i = 0; i < 2000; i++) {
      const x = row(ds, i);
      expect(Math.abs(ds.Y.data[i] - (Math.sin(x[0]) + 0.5 * x[1]))).toBeLessThanOrEqual(4e-16 * (1 + Math.abs(x[1])));
      s2 += x[2] * x[2];
    }
    expect(Math.abs(s2 / 2000 - 4)).toBeLessThan(5 * 4 * Math.sqrt(2 / 2000));
    const noisy = makeBuiltin("sin?n=2000&noise=0.3");
    expect(Array.from(noisy.X.data)).toEqual(Array.from(makeBuiltin("sin?n=2000").X.data));
    let r2 = 0;
    for (let i = 0; i < 2000; i++) {
      const x = row(noisy, i);
      r2 += (noisy.Y.data[i] - Math.sin(x[0]) - 0.5 * x[1]) ** 2;
    }
    expect(Math.abs(r2 / 2000 - 0.09)).toBeLessThan(5 * 0.09 * Math.sqrt(2 / 2000));
  });
});
