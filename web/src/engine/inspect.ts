// The Inspect view's engine: the user's trained network (a splitscape model JSON, or safetensors
// weights with the architecture in the file's metadata or given as an ARCH string) and a data
// file go through the library's `inspectNetwork` — the code of `splitscape inspect` — and come
// back as the same report document the CLI renders to report.html (inspectDocument), its
// figures rendered to SVG here in the worker. Models are kept by content address like data.
import { InputError } from "../../../src/common/errors.js";
import type { Dataset } from "../../../src/data/index.js";
import { INSPECT_GRAD_TOL, inspectDocument, inspectFigures, inspectNetwork, type InspectReport, type SummaryRow } from "../../../src/inspect/index.js";
import { parseArch, parseSafetensors } from "../../../src/io/index.js";
import {
  LOSS_NAMES, describeArchitecture, inputDim, modelToJson, outputDim, parseModelText, safetensorsToModel,
  type LossName, type Model, type ModelJson,
} from "../../../src/model/index.js";
import { isSafetensorsPath } from "../../../src/model/torchModel.js";
import { renderReportHtml, renderSvg, type ReportDocument } from "../../../src/report/index.js";
import { MERGE_ANGLE_TOL } from "../../../src/splitting/index.js";
import { MAX_UPLOAD_BYTES, UPLOAD_PREFIX, contentHash } from "./data.js";
import { checkLossLabels } from "./train.js";

/** Every setting of the Inspect view (the CLI's flags of the same names). */
export interface InspectConfig {
  /** An uploaded model's address `upload:NAME@HASH`. */
  model: string;
  data: string;
  /** "auto": logistic when every label is ±1, else square (the CLI's default). */
  loss: LossName | "auto";
  mean: boolean;
  beta: number;
  /** Layers of safetensors weights without splitscape metadata (the CLI's --arch); "" = from the file. */
  arch: string;
  /** Wall-clock budget of the convex optimum solve, seconds (--convex-seconds). */
  convexSeconds: number;
}

/** What the page shows: the verdict table, the report document (figures as SVG) and the files to download. */
export interface InspectResult {
  title: string;
  architecture: string;
  summary: SummaryRow[];
  checksPass: boolean;
  document: ReportDocument;
  /** report.html as `splitscape inspect` writes it (figures inlined). */
  html: string;
  /** The merged narrower network when section 2 found redundancy (a model file). */
  merged: ModelJson | null;
}

/** The uploaded model files of one page, by address. */
export class ModelStore {
  private readonly files = new Map<string, { name: string; bytes: Uint8Array }>();

  /** Keep a model file's bytes (parsed at use, when the architecture is known); returns its address. */
  upload(name: string, bytes: Uint8Array): string {
    if (bytes.length > MAX_UPLOAD_BYTES) throw new InputError(name, `is ${bytes.length} bytes; the lab accepts files up to ${MAX_UPLOAD_BYTES} bytes`);
    if (!/\.(json|safetensors)$/i.test(name)) throw new InputError(name, "expected a model file: splitscape model JSON (.json) or safetensors weights (.safetensors)");
    const address = `${UPLOAD_PREFIX}${name}@${contentHash(bytes)}`;
    this.files.set(address, { name, bytes });
    // Parse once now so that a bad file is reported at the drop (a safetensors file without
    // metadata needs its ARCH, which the view asks for, so only its container is checked here).
    if (isSafetensorsPath(name)) parseSafetensors(bytes, name);
    else parseModelText(new TextDecoder().decode(bytes), name);
    return address;
  }

  /** The model at `address`, with the layers of `arch` for safetensors weights when given. */
  get(address: string, arch: string): Model {
    const f = this.files.get(address);
    if (f === undefined) {
      if (address === "") throw new InputError("model", "drop a model file (.json or .safetensors) on the page or choose one");
      throw new InputError(address, "this link names a model file uploaded in another page; drop the file here again (its content hash must match)");
    }
    if (isSafetensorsPath(f.name)) {
      const layers = arch.trim() === "" ? undefined : parseArch(arch.trim(), "arch");
      return safetensorsToModel(parseSafetensors(f.bytes, f.name), f.name, { layers });
    }
    if (arch.trim() !== "") throw new InputError("arch", `describes the layers of safetensors weights, but ${f.name} is a JSON model file (which states its architecture)`);
    return parseModelText(new TextDecoder().decode(f.bytes), f.name);
  }
}

/** The CLI's checks of a model against data and loss (inputs, outputs, ±1 labels), in its words. */
function checkModelFits(model: Model, source: string, ds: Dataset, loss: LossName): void {
  const d = inputDim(model.arch);
  if (ds.X.cols !== d) throw new InputError(ds.source, `has ${ds.X.cols} input columns, but the model ${source} (${describeArchitecture(model.arch)}) expects d = ${d}`, "X");
  const k = outputDim(model.arch);
  if (ds.Y.cols !== k) throw new InputError(ds.source, `has ${ds.Y.cols} target columns, but the model ${source} has k = ${k} outputs`, "y");
  checkLossLabels(ds, loss);
}

/** Run `splitscape inspect`'s analyses on an uploaded model and data set (see the file comment). */
export async function inspectRun(c: InspectConfig, model: Model, modelName: string, ds: Dataset, version: string): Promise<InspectResult> {
  if (!(c.beta >= 0 && Number.isFinite(c.beta))) throw new InputError("beta", `expected a finite number ≥ 0, got ${c.beta}`);
  if (!(c.convexSeconds > 0 && Number.isFinite(c.convexSeconds))) throw new InputError("convex-seconds", `expected a finite number > 0, got ${c.convexSeconds}`);
  if (c.loss !== "auto" && !(LOSS_NAMES as readonly string[]).includes(c.loss)) throw new InputError("loss", `unknown loss ${JSON.stringify(c.loss)}; allowed: ${LOSS_NAMES.join(", ")}`);
  const loss: LossName = c.loss !== "auto" ? c.loss : ds.Y.data.every((v) => v === 1 || v === -1) ? "logistic" : "square";
  checkModelFits(model, modelName, ds, loss);
  const report: InspectReport = inspectNetwork(model, ds, {
    loss, mean: c.mean, beta: c.beta, angleTol: MERGE_ANGLE_TOL, gradTol: INSPECT_GRAD_TOL, convexSeconds: c.convexSeconds,
  });
  const rendered = new Map<string, { svg: string }>();
  for (const f of inspectFigures(report)) rendered.set(f.figure.name, { svg: await renderSvg(f.figure.vegaLite) });
  const title = `splitscape inspect: ${modelName} on ${ds.source}`;
  const document = inspectDocument(report, title, rendered, { splitscape: version, where: "the lab (browser worker)" });
  const red = report.redundancy;
  return {
    title, architecture: describeArchitecture(model.arch), summary: report.summary, checksPass: report.checksPass, document,
    html: renderReportHtml(document),
    merged: red.applies && red.mergedWidth < red.width ? modelToJson(red.merged) : null,
  };
}
