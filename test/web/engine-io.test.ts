// The lab engine's file-facing parts against the CLI, which reads the same files from disk
// through Node's fs and zlib (an independent path): NumPy uploads (.npy, .npz stored and
// deflated — the page inflates with DecompressionStream, the CLI with zlib), the safetensors
// export read back by the CLI, the Inspect view's report card against `splitscape inspect`, the
// refusal of convolutional models in the CLI's words, and the slice panels against
// `splitscape slice` and the geometry of the trajectory's projection.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Comlink from "comlink";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/index.js";
import { parseArch, parseNpz } from "../../src/io/index.js";
import { zipEntries } from "../../src/io/zip.js";
import { loadModel, loadSafetensorsModel, modelToText, parseModelJson } from "../../src/model/index.js";
import { LabEngine } from "../../web/src/engine/engine.js";
import type { InspectConfig } from "../../web/src/engine/inspect.js";
import { storedNpz } from "../../web/src/engine/numpy.js";
import type { PlateauConfig } from "../../web/src/engine/plateau.js";
import type { TrainConfig } from "../../web/src/engine/train.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-lab-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NUMPY = join(import.meta.dirname, "../fixtures/numpy");
const TORCH = join(import.meta.dirname, "../fixtures/torch");
const bytesOf = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** The message of what `f` throws (synchronously or as a rejected promise). */
async function thrown(f: () => unknown): Promise<string> {
  try {
    await f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected an error");
}

describe("lab engine: NumPy uploads", () => {
  it.each(["stored.npz", "deflated.npz", "c_f8.npy"])("%s: the same data set as the CLI reads from disk", async (name) => {
    const lab = new LabEngine();
    const s = await lab.uploadBytes(name, bytesOf(join(NUMPY, name)));
    const cli = loadDataset(join(NUMPY, name));
    expect(s.source).toMatch(new RegExp(`^upload:${name.replace(".", "\\.")}@[0-9a-f]{8}$`));
    expect([s.n, s.d, s.k]).toEqual([cli.X.rows, cli.X.cols, cli.Y.cols]);
    expect(s.X).toEqual(cli.X.data);
    expect(s.Y).toEqual(cli.Y.data);
  });

  it("inflates np.savez_compressed members without zlib (stored, CRC-checked) and refuses a corrupt one", async () => {
    const deflated = bytesOf(join(NUMPY, "deflated.npz"));
    expect(zipEntries(deflated, "d").some((e) => e.method === 8)).toBe(true);
    const stored = await storedNpz(deflated, "deflated.npz");
    expect(zipEntries(stored, "s").every((e) => e.method === 0)).toBe(true);
    const a = parseNpz(stored, "s");
    const b = parseNpz(deflated, "d"); // Node's zlib: the independent inflater
    for (const key of b.keys) expect(a.read(key).data).toEqual(b.read(key).data);
    // Flip one byte inside the first member's deflated data: an InputError naming the file.
    const e = zipEntries(deflated, "d")[0];
    const bad = deflated.slice();
    const start = e.localHeaderOffset + 30 + (bad[e.localHeaderOffset + 26] | (bad[e.localHeaderOffset + 27] << 8)) + (bad[e.localHeaderOffset + 28] | (bad[e.localHeaderOffset + 29] << 8));
    bad[start + Math.floor(e.compressedSize / 2)] ^= 0x55;
    expect(await thrown(() => new LabEngine().uploadBytes("deflated.npz", bad))).toMatch(/^deflated\.npz: .*(corrupt|CRC)/);
  });

  it("refuses NaN data and missing arrays in the CLI's words", async () => {
    for (const name of ["nan.npz", "named.npz"]) {
      const path = join(NUMPY, name);
      const cli = await thrown(() => loadDataset(path));
      expect(await thrown(() => new LabEngine().uploadBytes(name, bytesOf(path)))).toBe(cli.replaceAll(path, name));
    }
  });
});

const MOONS = "builtin:moons?n=60&seed=1&noise=0.1";
const trainCfg: TrainConfig = {
  data: MOONS, seed: 3, width: 6, depth: 1, activation: "relu", slope: 0.1, bias: true, loss: "logistic", mean: true,
  method: "gd", lr: 0.2, batch: 16, scale: 0,
};

describe("lab engine: safetensors export", () => {
  it("writes float64 weights the CLI reads back without flags, with the same loss", async () => {
    const lab = new LabEngine();
    const frame = lab.trainReset(trainCfg, 200, 20);
    const path = join(dir, "model.safetensors");
    writeFileSync(path, lab.trainExportSafetensors());
    const back = loadModel(path);
    const json = parseModelJson(lab.trainExport().model, "json");
    expect(back.arch).toEqual(json.arch);
    expect(back.theta).toEqual(json.theta);
    const r = await runCli("eval", "--model", path, "--data", MOONS, "--loss", "logistic", "--mean", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).loss).toBeCloseTo(frame.loss, 14);
  });
});

describe("lab engine: Inspect", () => {
  const inspectCfg = (model: string, data: string, arch = ""): InspectConfig => ({ model, data, arch, loss: "auto", mean: false, beta: 0, convexSeconds: 10 });

  it("gives the report card of `splitscape inspect` for PyTorch safetensors weights and NumPy data", async () => {
    const lab = new LabEngine();
    const model = lab.uploadModel("two-layer-tanh-bias.safetensors", bytesOf(join(TORCH, "two-layer-tanh-bias.safetensors")));
    const data = (await lab.uploadBytes("two-layer-tanh-bias.npz", bytesOf(join(TORCH, "two-layer-tanh-bias.npz")))).source;
    const r = await lab.inspect(inspectCfg(model, data, "linear,tanh,linear"));
    // The CLI reads the same weights from disk (its safetensors reader) as a model JSON file.
    const json = join(dir, "tanh.json");
    writeFileSync(json, modelToText(loadSafetensorsModel(join(TORCH, "two-layer-tanh-bias.safetensors"), { layers: parseArch("linear,tanh,linear", "t") })));
    const cli = await runCli("inspect", "--model", json, "--data", join(TORCH, "two-layer-tanh-bias.npz"), "-o", dir, "--json");
    expect(cli.code).toBe(0);
    const c = JSON.parse(cli.out);
    expect(r.summary).toEqual(c.summary);
    expect(r.checksPass).toBe(c.checksPass);
    expect(r.document.sections.map((s) => s.heading)).toEqual(["1 Stationarity and curvature", "2 Redundancy (embedding principle backwards)", "3 Max-margin", "4 Convex certificate", "5 Plateau"]);
    expect(r.html).toContain("<svg");
  }, 60_000);

  it("without the layers of PyTorch weights, and for a convolutional model, says what the CLI says", async () => {
    const lab = new LabEngine();
    const path = join(TORCH, "two-layer-tanh-bias.safetensors");
    const model = lab.uploadModel("two-layer-tanh-bias.safetensors", bytesOf(path));
    const data = (await lab.uploadBytes("two-layer-tanh-bias.npz", bytesOf(join(TORCH, "two-layer-tanh-bias.npz")))).source;
    const cli = await thrown(() => loadSafetensorsModel(path));
    expect(await thrown(() => lab.inspect(inspectCfg(model, data)))).toBe(cli.replaceAll(path, "two-layer-tanh-bias.safetensors"));

    const convPath = join(dir, "cnn.safetensors");
    const conv = loadSafetensorsModel(join(TORCH, "cnn-relu-nobias.safetensors"), { layers: parseArch("conv2d:3,relu,conv2d:3:2:1,relu,flatten,linear", "a"), inputShape: [1, 7, 7] });
    const { safetensorsModelBytes } = await import("../../src/model/index.js");
    writeFileSync(convPath, safetensorsModelBytes(conv));
    const convData = join(TORCH, "cnn-relu-nobias.npz");
    const r = await runCli("inspect", "--model", convPath, "--data", convData, "-o", dir);
    expect(r.code).toBe(2);
    const convModel = lab.uploadModel("cnn.safetensors", bytesOf(convPath));
    const convSource = (await lab.uploadBytes("cnn-relu-nobias.npz", bytesOf(convData))).source;
    const message = await thrown(() => lab.inspect(inspectCfg(convModel, convSource)));
    expect(message).toMatch(/does not support conv.* models yet/);
    expect(r.err).toContain(message);
  }, 60_000);
});

describe("lab engine: slice panels", () => {
  it("Train: the same slice as `splitscape slice`, and the trajectory's ends where they must be", async () => {
    const lab = new LabEngine();
    lab.trainReset(trainCfg, 300, 30);
    const line = lab.trainSlice({ along: "hessian:1", plane: "", extent: 1, points: 41, log: false });
    const model = join(dir, "trained.json");
    writeFileSync(model, modelToText(parseModelJson(lab.trainExport().model, "m")));
    const r = await runCli("slice", "--model", model, "--data", MOONS, "--loss", "logistic", "--mean", "--along", "hessian:1", "--x", "-1:1:41", "-o", dir, "--json");
    expect(r.code).toBe(0);
    const cli = JSON.parse(r.out);
    expect(Number(line.facts.find(([k]) => k.startsWith("Hessian eigenvalue"))![1].split(" ")[0])).toBeCloseTo(cli.summary["eigenvalue (x)"], 4);
    expect(line.center!.objective).toBe(cli.summary["F(θ)"]);
    expect(line.checks.map((c) => c.pass)).toEqual(cli.checks.map((c: { pass: boolean }) => c.pass));

    // A plane through θ toward θ(0) and along hessian:1: θ(0) sits at (1, 0) on it, θ now at (0, 0), both on the plane.
    const plane = lab.trainSlice({ along: "to:init", plane: "hessian:1", extent: 1, points: 11, log: false });
    const first = plane.projections[0];
    const last = plane.projections[plane.projections.length - 1];
    expect(first.label).toBe("step 0");
    expect(last.label).toBe("step 300");
    expect(first.x).toBeCloseTo(1, 12);
    expect(first.y).toBeCloseTo(0, 12);
    expect(first.offPlane).toBeLessThan(1e-12);
    expect([last.x, last.y, last.offPlane].map(Math.abs).every((v) => v < 1e-12)).toBe(true);
    expect(plane.checks.every((c) => c.pass)).toBe(true);
    expect(plane.figures.length).toBeGreaterThan(0);
    expect(() => lab.trainSlice({ along: "to:other.json", plane: "", extent: 1, points: 11, log: false })).toThrowError(/^along: in the lab, to: names/);
  }, 60_000);

  it("Plateau: along the plateau of split points and across it, with the library's checks", () => {
    const lab = new LabEngine();
    const cfg: PlateauConfig = {
      activation: "tanh", d: 2, m: 3, target: "positive-definite", stationary: "minimum", seed: 0, k: 2, lmin: -0.5, lmax: 1.5, points: 11, simplexN: 6, l1: 0.3, l2: 0.3,
    };
    const v = lab.plateauSlice(cfg, { along: "plateau:0", plane: "plateau-across:0", extent: 1, points: 11, log: false });
    expect(v.kind).toBe("plane");
    expect(v.baseNote).toMatch(/split at λ = \(½, ½\)/);
    expect(v.checks.length).toBeGreaterThan(0);
    expect(v.checks.every((c) => c.pass)).toBe(true);
    expect(v.facts.some(([k]) => k.startsWith("plateau classes"))).toBe(true);
    // Across the plateau: the inner Hessian's prediction of the curvature equals VᵀHV by exact Hessian–vector products.
    const fact = (prefix: string): number => Number(v.facts.find(([k]) => k.startsWith(prefix))![1]);
    const predicted = fact("inner-Hessian prediction of the curvature (y)");
    expect(Math.abs(predicted - fact("VᵀHV")) / Math.abs(predicted)).toBeLessThan(1e-5);
    expect(Math.abs(fact("UᵀHU"))).toBeLessThan(1e-10); // along the plateau F is flat: no curvature
  }, 60_000);
});

describe("lab protocol for files over a MessageChannel (comlink, as in the Web Worker)", () => {
  it("carries uploaded bytes in, safetensors bytes and the report card out", async () => {
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(new LabEngine(), port2);
    const remote = Comlink.wrap<LabEngine>(port1);
    try {
      const s = await remote.uploadBytes("deflated.npz", bytesOf(join(NUMPY, "deflated.npz")));
      expect(s.X).toEqual(loadDataset(join(NUMPY, "deflated.npz")).X.data);
      await remote.trainReset({ ...trainCfg, data: MOONS }, 20, 10);
      const bytes = await remote.trainExportSafetensors();
      expect(bytes).toBeInstanceOf(Uint8Array);
      const path = join(dir, "remote.safetensors");
      writeFileSync(path, bytes);
      expect(loadModel(path).theta).toEqual(parseModelJson((await remote.trainExport()).model, "m").theta);
      const model = await remote.uploadModel("two-layer-tanh-bias.safetensors", bytesOf(join(TORCH, "two-layer-tanh-bias.safetensors")));
      const data = (await remote.uploadBytes("two-layer-tanh-bias.npz", bytesOf(join(TORCH, "two-layer-tanh-bias.npz")))).source;
      const r = await remote.inspect({ model, data, arch: "linear,tanh,linear", loss: "auto", mean: false, beta: 0, convexSeconds: 10 });
      expect(r.summary.map((row) => row.section)).toEqual(["stationarity", "redundancy", "max-margin", "convex", "plateau"]);
      await expect(remote.uploadModel("weights.bin", new Uint8Array(4))).rejects.toThrowError(/^weights\.bin: expected a model file/);
    } finally {
      port1.close();
      port2.close();
    }
  }, 60_000);
});
