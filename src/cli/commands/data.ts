import { existsSync } from "node:fs";
import { Option, type Command } from "commander";
import { InputError } from "../../common/index.js";
import { checkOutputFile } from "../../common/outputPath.js";
import { classCounts, datasetShape, hasPlusMinusLabels, listGenerators, makeBuiltin, saveDataset, type Dataset, type DatasetFormat, type GeneratorInfo } from "../../data/index.js";
import { formatFromPath } from "../../data/files.js";
import { isBuiltinAddress } from "../../data/address.js";
import { isBareGeneratorName, labelColsOption, printJson, printLines, resolveDataset } from "../io.js";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `--param key=value` strings (plus --n, --seed) as generator overrides. */
function overridesFrom(opts: { n?: string; seed?: string; param?: string[] }): Map<string, string> {
  const out = new Map<string, string>();
  for (const kv of opts.param ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new InputError("--param", `expected key=value, got ${JSON.stringify(kv)}`);
    const key = kv.slice(0, eq).trim();
    if (key === "n" || key === "seed") {
      if ((key === "n" ? opts.n : opts.seed) !== undefined) throw new InputError("--param", `${key} is also given as --${key}; give it once`);
    }
    if (out.has(key)) throw new InputError("--param", `${key} is given twice`);
    out.set(key, kv.slice(eq + 1).trim());
  }
  if (opts.n !== undefined) out.set("n", opts.n);
  if (opts.seed !== undefined) out.set("seed", opts.seed);
  return out;
}

/** Summary of a dataset as printed by `data make --json` and `data info --json`. */
export function datasetSummary(ds: Dataset): Record<string, unknown> {
  const { n, d, k } = datasetShape(ds);
  const classification = hasPlusMinusLabels(ds);
  const xMin = new Array<number>(d).fill(Infinity);
  const xMax = new Array<number>(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = ds.X.data[i * d + j];
      if (v < xMin[j]) xMin[j] = v;
      if (v > xMax[j]) xMax[j] = v;
    }
  }
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const v of ds.Y.data) {
    if (v < yMin) yMin = v;
    if (v > yMax) yMax = v;
  }
  return {
    source: ds.source,
    ...(ds.origin !== undefined ? { origin: ds.origin } : {}),
    n,
    d,
    k,
    task: classification ? "classification" : "regression",
    ...(classification ? { classes: classCounts(ds) } : {}),
    xMin,
    xMax,
    yMin,
    yMax,
  };
}

/** Where a dataset came from, with the provenance its file records: `a.json (recorded source: builtin:…)`. */
function describeSource(ds: Dataset): string {
  return ds.origin !== undefined && ds.origin !== ds.source ? `${ds.source} (recorded source: ${ds.origin})` : ds.source;
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + " ".repeat(w - s.length);
}

/** Human listing of the generators: one block per generator, one line per parameter. */
function formatList(gens: GeneratorInfo[]): string[] {
  const lines: string[] = ["Built-in datasets, addressed as builtin:NAME?key=value&… (defaults shown):", ""];
  for (const g of gens) {
    lines.push(`${g.name} — ${g.description} [${g.task}]`);
    const wName = Math.max(...g.params.map((p) => p.name.length));
    const wDef = Math.max(...g.params.map((p) => p.default.length));
    for (const p of g.params) lines.push(`  ${pad(p.name, wName)}  ${pad(p.default, wDef)}  ${p.description}; ${p.allowed}`);
    lines.push(`  e.g. ${g.example}`, "");
  }
  return lines;
}

function outputFormat(path: string, forced: string | undefined): DatasetFormat {
  if (forced !== undefined) return forced as DatasetFormat;
  const f = formatFromPath(path);
  if (f === undefined) throw new InputError("-o/--out", `cannot tell the format of ${JSON.stringify(path)}: use a .json or .csv file name, or --format json|csv`);
  return f;
}

interface MakeOptions {
  out: string;
  n?: string;
  seed?: string;
  param?: string[];
  format?: string;
  labelCols?: string;
  force?: boolean;
  json?: boolean;
}

/** `data make`: generate (or convert) a dataset and write it atomically. */
function runMake(dataset: string, opts: MakeOptions): void {
  const format = outputFormat(opts.out, opts.format);
  checkOutputFile(opts.out, { option: "-o/--out", inputs: [dataset], force: opts.force });
  const overrides = overridesFrom(opts);
  let ds: Dataset;
  if (isBuiltinAddress(dataset) || (!existsSync(dataset) && isBareGeneratorName(dataset))) {
    ds = makeBuiltin(dataset, overrides);
  } else {
    if (overrides.size > 0) throw new InputError("--param", "--n, --seed and --param apply to built-in generators only, not to a dataset file");
    ds = resolveDataset(dataset, { ...opts, option: "<dataset>" });
  }
  saveDataset(ds, opts.out, format);
  const { n, d, k } = datasetShape(ds);
  if (opts.json) printJson({ file: opts.out, format, ...datasetSummary(ds) });
  else printLines(`wrote ${opts.out} (${format}): n=${n}, d=${d}, k=${k} from ${describeSource(ds)}`);
}

/** `data info`: validate a dataset and print its shape, task and ranges. */
function runInfo(dataset: string, opts: { labelCols?: string; json?: boolean }): void {
  const ds = resolveDataset(dataset, opts);
  const s = datasetSummary(ds);
  if (opts.json) {
    printJson(s);
    return;
  }
  const classes = s.classes as { positive: number; negative: number } | undefined;
  printLines(
    `source: ${describeSource(ds)}`,
    `n=${s.n}, d=${s.d}, k=${s.k}, ${s.task}${classes ? ` (${classes.positive} × +1, ${classes.negative} × −1)` : ""}`,
    `x range per column: ${(s.xMin as number[]).map((v, j) => `[${v}, ${(s.xMax as number[])[j]}]`).join(" ")}`,
    `y range: [${s.yMin}, ${s.yMax}]`,
  );
}

/** `splitscape data list|make|info`: built-in datasets and dataset files. */
export function registerData(program: Command): void {
  const data = program.command("data").description("built-in datasets and dataset files");

  data
    .command("list")
    .description("list the built-in generators with their parameters, defaults and ranges")
    .option("--json", "print one JSON object")
    .action((opts: { json?: boolean }) => {
      const gens = listGenerators();
      if (opts.json) printJson({ generators: gens });
      else printLines(...formatList(gens));
    });

  data
    .command("make")
    .description("write a built-in dataset (or convert a dataset file) to a .json or .csv file, atomically")
    .argument("<dataset>", "NAME, builtin:NAME?key=value&…, or a dataset file to convert")
    .requiredOption("-o, --out <file>", "the output FILE (.json or .csv); missing folders are created")
    .option("--n <N>", "number of samples (overrides the address)")
    .option("--seed <S>", "random seed (overrides the address)")
    .option("-p, --param <key=value>", "generator parameter, repeatable (overrides the address)", collect)
    .addOption(new Option("--format <format>", "output format (default: from the file extension)").choices(["json", "csv"]))
    .addOption(labelColsOption())
    .option("--force", "allow the output to be the input file (converted in place; its source provenance is kept)")
    .option("--json", "print one JSON object")
    .action((dataset: string, opts: MakeOptions) => runMake(dataset, opts));

  data
    .command("info")
    .description("validate a dataset (file or builtin address) and print its shape, task and ranges")
    .argument("<dataset>", "a dataset file (.json, .csv), builtin:NAME?… or NAME")
    .addOption(labelColsOption())
    .option("--json", "print one JSON object")
    .action((dataset: string, opts: { labelCols?: string; json?: boolean }) => runInfo(dataset, opts));
}
