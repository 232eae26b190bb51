/**
 * `splitscape import WEIGHTS.safetensors (--arch ARCH | --torch-repr FILE) -o MODEL.json`: map the
 * state_dict of a torch.nn.Sequential onto a model file (model/torchModel.ts has the mapping).
 * Without --arch/--torch-repr the architecture comes from splitscape's own metadata. `-o` may
 * also name a .safetensors file (the same weights with splitscape's metadata added). Exit 2 when
 * the keys or shapes do not fit (the message lists the state_dict), nothing written.
 */
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { InputError } from "../../common/errors.js";
import { readSafetensors } from "../../io/index.js";
import { describeArchitecture, modelArch, paramCount, saveModel } from "../../model/index.js";
import { isSafetensorsPath } from "../../model/torchModel.js";
import { loadModelArg, modelFormatOptions, printJson, printLines, type ModelFormatOptions } from "../io.js";

interface ImportOptions extends ModelFormatOptions {
  out: string;
  force?: boolean;
  json?: boolean;
}

/** The JSON object printed by `import --json`. */
export interface ImportResult {
  weights: string;
  out: string;
  architecture: string;
  /** The ARCH string of the model (what `export` writes into the metadata). */
  arch: string;
  p: number;
  /** The state_dict as read: key, PyTorch shape, stored dtype. */
  tensors: { key: string; shape: number[]; dtype: string }[];
}

/**
 * InputError unless `out` differs from every input (`--force` allows overwriting them): a command
 * never overwrites its own input by accident.
 */
export function checkNotAnInput(out: string, inputs: (string | undefined)[], force: boolean | undefined): void {
  if (force) return;
  for (const input of inputs) {
    if (input !== undefined && resolve(out) === resolve(input)) {
      throw new InputError("--out", `${out} is also an input of this command; choose another file (or --force to overwrite it)`);
    }
  }
}

/** Import the weights and write the model file (no printing). */
export function runImport(weights: string, opts: ImportOptions): ImportResult {
  if (!isSafetensorsPath(weights)) throw new InputError(weights, "expected a .safetensors file (PyTorch weights saved with safetensors.torch.save_file)");
  checkNotAnInput(opts.out, [weights, opts.torchRepr], opts.force);
  const model = loadModelArg(weights, opts);
  const file = readSafetensors(weights);
  saveModel(opts.out, model);
  return {
    weights,
    out: opts.out,
    architecture: describeArchitecture(model.arch),
    arch: modelArch(model),
    p: paramCount(model.arch),
    tensors: [...file.tensors].map(([key, t]) => ({ key, shape: [...t.shape], dtype: t.dtype })),
  };
}

/** Human summary of an import. */
export function formatImport(r: ImportResult): string[] {
  const dtypes = [...new Set(r.tensors.map((t) => t.dtype))];
  const widened = dtypes.filter((d) => d !== "F64");
  return [
    `read   ${r.weights}: ${r.tensors.map((t) => `${t.key} [${t.shape.join(", ")}]`).join(", ")} (${dtypes.join(", ")}${widened.length > 0 ? ", widened to float64 exactly" : ""})`,
    `model  ${r.architecture}, p = ${r.p} (ARCH ${r.arch})`,
    `wrote  ${r.out}`,
  ];
}

/** Register `import` on the program. */
export function registerImport(program: Command): void {
  const cmd = program
    .command("import")
    .description("map PyTorch weights (a torch.nn.Sequential's state_dict in .safetensors) onto a splitscape model file")
    .argument("<weights>", "a .safetensors file (safetensors.torch.save_file(model.state_dict(), …))")
    .requiredOption("-o, --out <file>", "the model file to write (.json; .safetensors rewrites the weights with splitscape's metadata)");
  for (const o of modelFormatOptions()) cmd.addOption(o);
  cmd
    .addOption(new Option("--force", "allow -o to overwrite one of the inputs"))
    .option("--json", "print one JSON object")
    .action((weights: string, opts: ImportOptions) => {
      const r = runImport(weights, opts);
      if (opts.json) printJson(r);
      else printLines(...formatImport(r));
    });
}
