/**
 * `splitscape export MODEL -o net.safetensors [--dtype F64|F32]`: write a model's weights as the
 * state_dict of the torch.nn.Sequential it corresponds to (model/torchModel.ts), with the
 * architecture in splitscape's `__metadata__` so that `--model net.safetensors` needs no flags.
 * F64 is exact (export → import is bit-identical); F32 rounds to nearest.
 */
import { Option, type Command } from "commander";
import { InputError } from "../../common/errors.js";
import type { WriteDtype } from "../../io/index.js";
import {
  describeArchitecture, modelArch, modelToStateDict, safetensorsModelBytes, torchSequentialCode, type Model,
} from "../../model/index.js";
import { isSafetensorsPath } from "../../model/torchModel.js";
import { writeFileAtomic } from "../../common/atomic.js";
import { loadModelArg, modelFormatOptions, printJson, printLines, type ModelFormatOptions } from "../io.js";
import { checkNotAnInput } from "./import.js";

interface ExportOptions extends ModelFormatOptions {
  out: string;
  dtype: WriteDtype;
  force?: boolean;
  json?: boolean;
}

/** The JSON object printed by `export --json`. */
export interface ExportResult {
  model: string;
  out: string;
  architecture: string;
  arch: string;
  dtype: WriteDtype;
  /** Keys and PyTorch shapes, in file order. */
  tensors: { key: string; shape: number[] }[];
  /** The Python expression of the matching torch.nn.Sequential (null: no torch.nn activation). */
  torch: string | null;
}

/** Largest float32 magnitude; F32 export refuses anything beyond it. */
const FLOAT32_MAX = 3.4028234663852886e38;

function checkFloat32Range(model: Model, source: string): void {
  for (const t of modelToStateDict(model)) {
    const bad = t.data.findIndex((x) => Math.abs(x) > FLOAT32_MAX);
    if (bad >= 0) throw new InputError(source, `entry ${bad} = ${t.data[bad]} overflows float32; export with --dtype F64`, t.key);
  }
}

/** Export the model (no printing). */
export function runExport(modelPath: string, opts: ExportOptions): ExportResult {
  if (!isSafetensorsPath(opts.out)) throw new InputError("--out", `expected a .safetensors file name, got ${JSON.stringify(opts.out)} (for a JSON model file use splitscape import)`);
  checkNotAnInput(opts.out, [modelPath, opts.torchRepr], opts.force);
  const model = loadModelArg(modelPath, opts);
  if (opts.dtype === "F32") checkFloat32Range(model, modelPath);
  writeFileAtomic(opts.out, safetensorsModelBytes(model, opts.dtype));
  return {
    model: modelPath,
    out: opts.out,
    architecture: describeArchitecture(model.arch),
    arch: modelArch(model),
    dtype: opts.dtype,
    tensors: modelToStateDict(model).map((t) => ({ key: t.key, shape: [...t.shape] })),
    torch: torchSequentialCode(model),
  };
}

/** Human summary of an export, with the PyTorch lines that load it. */
export function formatExport(r: ExportResult): string[] {
  return [
    `model  ${r.model}: ${r.architecture} (ARCH ${r.arch})`,
    `wrote  ${r.out}: ${r.tensors.map((t) => `${t.key} [${t.shape.join(", ")}]`).join(", ")} (${r.dtype})`,
    r.torch === null
      ? `torch  the activation has no torch.nn module: build the Sequential with your own module between the Linear layers (keys as above)`
      : `torch  model = ${r.torch}; model.load_state_dict(safetensors.torch.load_file(${JSON.stringify(r.out)}))`,
  ];
}

/** Register `export` on the program. */
export function registerExport(program: Command): void {
  const cmd = program
    .command("export")
    .description("write a model's weights as a torch.nn.Sequential state_dict in .safetensors (load_state_dict accepts it)")
    .argument("<model>", "a model file (.json, or .safetensors with --arch/--torch-repr or splitscape metadata)")
    .requiredOption("-o, --out <file>", "the .safetensors file to write")
    .addOption(new Option("--dtype <T>", "stored precision: F64 exact, F32 rounded to nearest").choices(["F64", "F32"]).default("F64"));
  for (const o of modelFormatOptions()) cmd.addOption(o);
  cmd
    .addOption(new Option("--force", "allow -o to overwrite one of the inputs"))
    .option("--json", "print one JSON object")
    .action((model: string, opts: ExportOptions) => {
      const r = runExport(model, opts);
      if (opts.json) printJson(r);
      else printLines(...formatExport(r));
    });
}
