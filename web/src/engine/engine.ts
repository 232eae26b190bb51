// The lab's engine: everything the page asks of the library, as one object whose methods take
// and return structured-clonable values. The Web Worker exposes it with comlink (worker.ts);
// tests call it directly and through a MessageChannel (test/web/protocol.test.ts). Errors are
// thrown as they come from the library: an InputError's message is the CLI's wording.
import * as Comlink from "comlink";
import { listGenerators } from "../../../src/data/index.js";
import { gemmBackend } from "../../../src/linalg/index.js";
import { renderSvg } from "../../../src/report/index.js";
import { safetensorsModelBytes } from "../../../src/model/index.js";
import { VERSION } from "../../../src/version.js";
import { stamped } from "../../../src/common/format.js";
import { convexRun, type ConvexConfig, type ConvexResult } from "./convex.js";
import type { ValueScale } from "../shared/colormap.js";
import { DataStore, contentHash, type DataSummary } from "./data.js";
import { ModelStore, inspectRun, type InspectConfig, type InspectResult } from "./inspect.js";
import { storedNpz } from "./numpy.js";
import { plateauRun, plateauSetting, type PlateauConfig, type PlateauResult } from "./plateau.js";
import { slicePanel, type SliceConfig, type SliceView } from "./slice.js";
import { smallInitRun, smallInitStaircase, type SmallInitConfig, type SmallInitResult, type StaircaseResult } from "./smallInit.js";
import { SplitSession, type SplitCertificates, type SplitConfig, type SplitFrame } from "./split.js";
import { TrainSession, type TrainConfig, type TrainFrame } from "./train.js";

/** What the page says about where it runs. */
export interface EnvironmentInfo {
  version: string;
  /** `crossOriginIsolated` of the worker: shared wasm memories (the cone kernel) are available. */
  crossOriginIsolated: boolean;
  /** The GEMM backend in use ("wasm-simd" or "typescript"). */
  gemm: string;
  /** Built-in generators: name, task, one-line description. */
  generators: { name: string; task: string; description: string }[];
}

/** Most steps one `advance` call may take (keeps one message short). */
export const MAX_ADVANCE = 1_000_000;

export class LabEngine {
  private readonly data = new DataStore();
  private readonly models = new ModelStore();
  private train: TrainSession | null = null;
  private split: SplitSession | null = null;

  environment(): EnvironmentInfo {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
    return {
      version: VERSION,
      crossOriginIsolated: isolated,
      gemm: gemmBackend(),
      generators: listGenerators().map((g) => ({ name: g.name, task: g.task, description: g.description })),
    };
  }

  /** Parse an uploaded file; returns its address (`upload:NAME@HASH`) and summary. */
  upload(name: string, text: string): DataSummary {
    return this.data.summary(this.data.upload(name, text));
  }

  /**
   * Parse an uploaded NumPy file (.npy, .npz; `np.savez_compressed` archives are inflated first,
   * numpy.ts); the address hashes the bytes as dropped.
   */
  async uploadBytes(name: string, bytes: Uint8Array): Promise<DataSummary> {
    const stored = name.toLowerCase().endsWith(".npz") ? await storedNpz(bytes, name) : bytes;
    return this.data.summary(this.data.upload(name, stored, contentHash(bytes)));
  }

  /** Keep an uploaded model file (.json or .safetensors); returns its address `upload:NAME@HASH`. */
  uploadModel(name: string, bytes: Uint8Array): string {
    return this.models.upload(name, bytes);
  }

  dataSummary(source: string): DataSummary {
    return this.data.summary(source);
  }

  /** Start a training session at step 0 and replay `steps` steps in chunks of `chunk`. */
  trainReset(config: TrainConfig, steps = 0, chunk = 1): TrainFrame {
    this.train = null;
    const s = new TrainSession(config, this.data.get(config.data));
    this.train = s;
    replay(steps, chunk, (k) => s.advance(k));
    return s.frame();
  }

  trainAdvance(steps: number): TrainFrame {
    const s = this.requireTrain();
    s.advance(checkSteps(steps));
    return s.frame();
  }

  trainHeatmap(res: number, bounds: [number, number, number, number]): Float64Array {
    return this.requireTrain().heatmap(res, bounds);
  }

  /** The heatmap as RGBA pixels (transferred, not copied). */
  trainHeatmapImage(res: number, bounds: [number, number, number, number], scale: ValueScale): Uint8ClampedArray<ArrayBuffer> {
    const img = this.requireTrain().heatmapImage(res, bounds, scale);
    return Comlink.transfer(img, [img.buffer]);
  }

  /** The model and run records now, stamped like the files `splitscape train` writes (final.json, run.json). */
  trainExport(): { model: unknown; run: unknown } {
    const s = this.requireTrain();
    return { model: stamped("model", s.modelJson()), run: stamped("run", s.runJson(VERSION)) };
  }

  /** The model now as safetensors bytes (F64, splitscape's metadata: `splitscape` reads it back without flags). */
  trainExportSafetensors(): Uint8Array<ArrayBuffer> {
    const bytes = safetensorsModelBytes(this.requireTrain().model) as Uint8Array<ArrayBuffer>;
    return Comlink.transfer(bytes, [bytes.buffer]);
  }

  /** A slice through the trained network now, its training checkpoints projected on a plane (the trajectory). */
  trainSlice(c: SliceConfig): SliceView {
    const s = this.requireTrain();
    const project = s.checkpoints.map((p) => ({ label: `step ${p.step}`, model: { arch: s.model.arch, theta: p.theta } }));
    return slicePanel(s.model, s.data, { loss: s.config.loss, mean: s.config.mean, beta: 0 }, c, s.initial, project);
  }

  splitReset(config: SplitConfig, steps = 0, chunk = 1): SplitFrame {
    this.split = null;
    const s = new SplitSession(config, this.data.get(config.data));
    this.split = s;
    replay(steps, chunk, (k) => s.advance(k));
    return s.frame();
  }

  splitAdvance(steps: number): SplitFrame {
    const s = this.requireSplit();
    s.advance(checkSteps(steps));
    return s.frame();
  }

  splitCertificates(): SplitCertificates {
    return this.requireSplit().certificates();
  }

  smallInit(config: SmallInitConfig): SmallInitResult {
    return smallInitRun(config, this.data.get(config.data));
  }

  smallInitStaircase(config: SmallInitConfig): StaircaseResult {
    return smallInitStaircase(config, this.data.get(config.data));
  }

  convex(config: ConvexConfig): ConvexResult {
    return convexRun(config, this.data.get(config.data));
  }

  plateau(config: PlateauConfig): PlateauResult {
    return plateauRun(config);
  }

  /** A slice through the Plateau view's stationary point θ* (plateau directions split unit 0 first). */
  plateauSlice(config: PlateauConfig, c: SliceConfig): SliceView {
    const { data, analysis } = plateauSetting(config);
    return slicePanel(analysis.model, data, { loss: "square", beta: 0 }, c, null);
  }

  /** `splitscape inspect` on an uploaded model and data set: the report card. */
  async inspect(config: InspectConfig): Promise<InspectResult> {
    const model = this.models.get(config.model, config.arch);
    return inspectRun(config, model, config.model.replace(/^upload:/, "").replace(/@[0-9a-f]{8}$/, ""), this.data.get(config.data), VERSION);
  }

  /** A Vega-Lite spec rendered to SVG by the library's renderer (the CLI reports' figures). */
  async figure(spec: Record<string, unknown>): Promise<string> {
    return renderSvg(spec);
  }

  private requireTrain(): TrainSession {
    if (this.train === null) throw new Error("no training session: call trainReset first");
    return this.train;
  }

  private requireSplit(): SplitSession {
    if (this.split === null) throw new Error("no split session: call splitReset first");
    return this.split;
  }
}

function checkSteps(steps: number): number {
  if (!Number.isInteger(steps) || steps < 0 || steps > MAX_ADVANCE) throw new RangeError(`advance: steps must be an integer in [0, ${MAX_ADVANCE}], got ${steps}`);
  return steps;
}

/** `steps` steps in chunks of `chunk` (the last one shorter): the page's chunks, replayed. */
function replay(steps: number, chunk: number, advance: (k: number) => void): void {
  checkSteps(steps);
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`replay: chunk must be a positive integer, got ${chunk}`);
  for (let done = 0; done < steps; done += chunk) advance(Math.min(chunk, steps - done));
}
