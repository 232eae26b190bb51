import { existsSync } from "node:fs";
import { Option, type Command } from "commander";
import { InputError } from "../common/index.js";
import { findGenerator, loadDataset, makeBuiltin, type Dataset } from "../data/index.js";
import { isBuiltinAddress } from "../data/address.js";
import { parseArch, parseInputShape as parseInputShapeText, parseTorchRepr, type LayerList } from "../io/index.js";
import { readFileBytes } from "../io/readBytes.js";
import { loadModel, type ArchitectureSource, type Model } from "../model/index.js";

// The output helpers live in output.ts (no library imports, so the failure path loads fast).
export { jsonReplacer, formatJson, printJson, printLines } from "./output.js";

/**
 * Parse an integer command-line option; InputError naming the option and the allowed range.
 * `undefined` (option not given) stays undefined.
 */
export function parseIntOption(option: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const v = /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new InputError(option, `expected an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`);
  }
  return v;
}

/** The `--label-cols K` option: number of trailing CSV columns that are targets. */
export function labelColsOption(): Option {
  return new Option("--label-cols <K>", "CSV datasets: the last K columns are the targets y (default 1, or the trailing y… header columns)");
}

/** Parse a `--label-cols` value (a positive integer) or undefined. */
export function parseLabelCols(raw: string | undefined): number | undefined {
  return parseIntOption("--label-cols", raw, 1, 1_000_000);
}

/** Options of resolveDataset. */
export interface ResolveOptions {
  /** `--label-cols` as given on the command line (string) or parsed (number). */
  labelCols?: string | number;
  /** `--x-key`, `--y-key`: array names in an .npz. */
  xKey?: string;
  yKey?: string;
  /** The option that named the dataset, for messages (default "--data"). */
  option?: string;
}

/**
 * Resolve a dataset argument of any command: a file path (.json or .csv), a
 * `builtin:NAME?key=value&…` address, or a bare generator name such as `blobs` or `blobs?n=50`
 * when no file of that name exists. Bad input is an InputError (exit 2 in the CLI).
 */
export function resolveDataset(arg: string, opts: ResolveOptions = {}): Dataset {
  const option = opts.option ?? "--data";
  requirePath(option, arg, "a dataset file (.json, .csv) or a builtin:NAME address");
  const labelCols = typeof opts.labelCols === "string" ? parseLabelCols(opts.labelCols) : opts.labelCols;
  if (isBuiltinAddress(arg)) return makeBuiltin(arg);
  if (!existsSync(arg) && isBareGeneratorName(arg)) return makeBuiltin(arg);
  return loadDataset(arg, { labelCols, option, xKey: opts.xKey, yKey: opts.yKey });
}

/** True if `arg` is `NAME` or `NAME?…` for a registered generator. */
export function isBareGeneratorName(arg: string): boolean {
  const q = arg.indexOf("?");
  return findGenerator(q < 0 ? arg : arg.slice(0, q)) !== undefined;
}

/** The options `--arch`, `--torch-repr`, `--input-shape` (how to read safetensors weights). */
export interface ModelFormatOptions {
  arch?: string;
  torchRepr?: string;
  inputShape?: string;
}

/** Options of every command that reads a model (--model): the layers of .safetensors weights. */
export function modelFormatOptions(): Option[] {
  return [
    new Option("--arch <ARCH>", "layers of .safetensors weights, e.g. linear,relu,linear or conv2d:3,relu,conv2d:3:2:1,relu,flatten,linear (default: the file's splitscape metadata)"),
    new Option("--torch-repr <FILE>", "instead of --arch: a text file with what print(model) shows for the torch.nn.Sequential").conflicts("arch"),
    new Option("--input-shape <C,H,W>", "input shape of a convolutional model: C,H,W (Conv2d) or C,L (Conv1d); checked against the first Linear otherwise"),
  ];
}

/** Options of every command that reads a dataset file (--label-cols): array names of an .npz. */
export function npzKeyOptions(): Option[] {
  return [
    new Option("--x-key <NAME>", ".npz datasets: name of the input array (default X)"),
    new Option("--y-key <NAME>", ".npz datasets: name of the target array (default y)"),
  ];
}

/**
 * Give every command (and subcommand) that takes `--model` the model-format options and every
 * one that takes `--label-cols` (so reads dataset files) the .npz key options — one place, so
 * each command's option list stays its own.
 */
export function addFormatOptions(program: Command): void {
  for (const cmd of program.commands) {
    const has = (flag: string): boolean => cmd.options.some((o) => o.long === flag);
    if (has("--model") && !has("--arch")) for (const o of modelFormatOptions()) cmd.addOption(o);
    if (has("--label-cols") && !has("--x-key")) for (const o of npzKeyOptions()) cmd.addOption(o);
    addFormatOptions(cmd);
  }
}

/** The layer list of `--arch` or `--torch-repr` (a file: print(model) text, or JSON with a "model" string). */
export function layerListOption(opts: ModelFormatOptions): LayerList | undefined {
  if (opts.arch !== undefined) return parseArch(opts.arch, "--arch");
  if (opts.torchRepr === undefined) return undefined;
  const path = opts.torchRepr;
  let text = new TextDecoder().decode(readFileBytes(path));
  if (text.trimStart().startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InputError(path, `not valid JSON (${(err as Error).message}); expected the text print(model) shows, or JSON with a "model" string`);
    }
    const model = (json as Record<string, unknown> | null)?.model;
    if (typeof model !== "string") throw new InputError(path, "expected a \"model\" string holding the text print(model) shows", "model");
    text = model;
  }
  return parseTorchRepr(text, path);
}

/** `--input-shape C,H,W` or `C,L` (io's parseInputShape), or undefined. */
export function parseInputShape(raw: string | undefined): number[] | undefined {
  return raw === undefined ? undefined : parseInputShapeText(raw, "--input-shape");
}

/** Where the architecture of a `--model` comes from, from a command's options (see addFormatOptions). */
export function architectureSource(opts: object): ArchitectureSource {
  const o = opts as ModelFormatOptions;
  return { layers: layerListOption(o), inputShape: parseInputShape(o.inputShape) };
}

/** Load the `--model` of a command: a JSON model file or .safetensors weights (architectureSource). */
export function loadModelArg(path: string, opts: object): Model {
  return loadModel(path, architectureSource(opts));
}

/**
 * The output option every command spells `-o, --out` (docs/INTERFACES.md): the output FILE of a
 * command that writes one file, the PARENT folder of the run folder of a command that writes a
 * run folder. `what` completes the help text.
 */
export function outFileOption(what: string): Option {
  return new Option("-o, --out <file>", `the output FILE: ${what}; missing folders are created`);
}

/** `-o, --out <dir>`: the parent folder of the run folder (default "runs"). */
export function outFolderOption(what = "run folder"): Option {
  return new Option("-o, --out <dir>", `the PARENT folder of the ${what} (created if missing)`).default("runs");
}

/** The old spelling `--output FILE` of split and plateau, accepted (hidden) for one release. */
export function legacyOutputOption(): Option {
  return new Option("--output <file>", "old spelling of -o/--out (removed in the next release)").hideHelp();
}

/**
 * The output file of a command with `-o, --out` and the hidden `--output`: InputError if both
 * are given, or if neither is and `required`. Using the old spelling prints a one-line note.
 */
export function resolveOutFile(opts: { out?: string; output?: string }, required: boolean): string | undefined {
  if (opts.out !== undefined && opts.output !== undefined) throw new InputError("-o/--out", "given twice (as -o/--out and as the old --output); give it once");
  if (opts.output !== undefined) process.stderr.write("splitscape: note: --output is now spelled -o/--out; the old spelling goes away in the next release\n");
  const out = opts.out ?? opts.output;
  if (out === undefined && required) throw new InputError("-o/--out", "required: the output file");
  return out;
}

/** InputError unless `raw` (an option's path value) is non-empty. */
export function requirePath(option: string, raw: string, what: string): string {
  if (raw.trim() === "") throw new InputError(option, `empty path, expected ${what}`);
  return raw;
}
