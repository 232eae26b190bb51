// Format stamps (src/common/format.ts, docs/INTERFACES.md "Format versions"): every writer's
// output carries {splitscape: VERSION, format: {name, version}}; a reader given a file of a newer
// format version fails with one line naming the file, the field and the version it reads; an
// old unstamped file still reads.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { FORMAT_VERSIONS, formatStamp, InputError, readFormat, type FormatName } from "../../src/common/index.js";
import { datasetToJsonText, loadDataset, parseJsonDataset } from "../../src/data/index.js";
import { parseSafetensors } from "../../src/io/index.js";
import { loadModel, modelToText, parseModelText, safetensorsModelBytes, safetensorsToModel } from "../../src/model/index.js";
import { readRunJson, registerExperiment, runSweep, runToFolder, unregisterExperiment, validateSpec } from "../../src/experiments/index.js";
import { atMost, linePlot, renderReportHtml } from "../../src/report/index.js";
import { VERSION } from "../../src/version.js";
import { runCli } from "../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-format-"));
const KIND = "test-format-stamp";

beforeAll(() => {
  registerExperiment({
    kind: KIND,
    family: "foundation",
    title: "format stamp test kind",
    schema: z.strictObject({ n: z.number().int().min(1).default(3) }),
    run: async (spec) => {
      const walk = Array.from({ length: spec.params.n }, (_, i) => ({ step: i + 1, y: i + 1 }));
      return { summary: { n: spec.params.n }, verdicts: [atMost("n is small", spec.params.n, 10)], series: { walk } };
    },
    figures: (result) => [{ name: "walk", title: "walk", vegaLite: linePlot({ data: result.series.walk, x: "step", y: "y" }) }],
  });
});

afterAll(() => {
  unregisterExperiment(KIND);
  rmSync(dir, { recursive: true, force: true });
});

/** The newest folder under `parent` whose name starts with `prefix`. */
function folder(parent: string, prefix: string): string {
  const names = readdirSync(parent).filter((n) => n.startsWith(prefix)).sort();
  expect(names.length).toBeGreaterThan(0);
  return join(parent, names[names.length - 1]);
}

function json(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

/** The stamp a JSON file of format `name` must carry. */
function expectStamp(value: Record<string, unknown>, name: FormatName, what: string): void {
  expect({ what, splitscape: value.splitscape, format: value.format }).toEqual({ what, ...formatStamp(name) });
}

const model = parseModelText(JSON.stringify({ kind: "two-layer", activation: "relu", W: [[1, 0.5], [-0.5, 1]], a: [1, -1] }), "net.json");

// One row per writer: what it writes, and the format each written file must declare.
const WRITERS: Array<{ writer: string; files: () => Promise<Array<[string, FormatName]>> }> = [
  {
    writer: "data make (dataset JSON)",
    files: async () => {
      const p = join(dir, "blobs.json");
      expect((await runCli("data", "make", "builtin:blobs?n=8&seed=1", "-o", p)).code).toBe(0);
      return [[p, "dataset"]];
    },
  },
  {
    writer: "saveModel / modelToText (model JSON)",
    files: async () => {
      const p = join(dir, "net.json");
      writeFileSync(p, modelToText(model));
      return [[p, "model"]];
    },
  },
  {
    writer: "train (run folder)",
    files: async () => {
      const parent = join(dir, "train");
      const r = await runCli("train", "--data", join(dir, "blobs.json"), "--init", "width=3,activation=relu,seed=1", "--loss", "logistic", "--method", "gd", "--steps", "5", "-o", parent);
      expect(r.code, r.err).toBeLessThanOrEqual(1);
      const d = folder(parent, "train-");
      return [[join(d, "spec.json"), "spec"], [join(d, "initial.json"), "model"], [join(d, "final.json"), "model"], [join(d, "trajectory.json"), "trajectory"], [join(d, "result.json"), "result"], [join(d, "run.json"), "run"]];
    },
  },
  {
    writer: "split -o (model JSON)",
    files: async () => {
      const p = join(dir, "wide.json");
      const r = await runCli("split", "--model", join(dir, "net.json"), "--unit", "0", "--coeffs", "0.6,0.8", "--data", join(dir, "blobs.json"), "-o", p);
      expect(r.code, r.err).toBe(0);
      return [[p, "model"]];
    },
  },
  {
    writer: "inspect (run folder)",
    files: async () => {
      const parent = join(dir, "inspect");
      const r = await runCli("inspect", "--model", join(dir, "net.json"), "--data", join(dir, "blobs.json"), "--loss", "logistic", "-o", parent);
      expect(r.code, r.err).toBeLessThanOrEqual(1);
      const d = folder(parent, "inspect-");
      const figures = readdirSync(join(d, "figures")).filter((n) => n.endsWith(".vl.json")).map((n): [string, FormatName] => [join(d, "figures", n), "figure"]);
      return [[join(d, "spec.json"), "spec"], [join(d, "inspect.json"), "inspect"], [join(d, "run.json"), "run"], [join(d, "report.html"), "report"], ...figures];
    },
  },
  {
    writer: "slice (run folder)",
    files: async () => {
      const parent = join(dir, "slice");
      const r = await runCli("slice", "--model", join(dir, "net.json"), "--data", join(dir, "blobs.json"), "--loss", "logistic", "--along", "random:1", "--x", "-1:1:5", "-o", parent);
      expect(r.code, r.err).toBeLessThanOrEqual(1);
      const d = folder(parent, "slice-");
      return [[join(d, "spec.json"), "spec"], [join(d, "slice.json"), "slice"], [join(d, "run.json"), "run"], [join(d, "report.html"), "report"]];
    },
  },
  {
    writer: "run (experiment run folder)",
    files: async () => {
      const o = await runToFolder(validateSpec({ kind: KIND, seed: 1 }, "spec").spec, { outDir: join(dir, "runs") });
      return [[join(o.dir, "spec.json"), "spec"], [join(o.dir, "result.json"), "result"], [join(o.dir, "run.json"), "run"], [join(o.dir, "report.html"), "report"], [join(o.dir, "figures", "walk.vl.json"), "figure"]];
    },
  },
  {
    writer: "sweep (sweep folder)",
    files: async () => {
      const o = await runSweep(validateSpec({ kind: KIND, seed: 1, grid: { n: [2, 3] } }, "spec"), { outDir: join(dir, "sweeps"), workers: 1 });
      return [[join(o.dir, "sweep.json"), "sweep"], [join(o.dir, "summary.json"), "summary"], [join(o.dir, "report.html"), "report"]];
    },
  },
  {
    writer: "reproduce --quick (run folder)",
    files: async () => {
      const parent = join(dir, "reproduce");
      const r = await runCli("reproduce", "convex/staircase-circle", "--quick", "-o", parent);
      expect(r.code, r.err).toBe(0);
      const d = folder(parent, "reproduce-");
      const figures = readdirSync(join(d, "figures")).filter((n) => n.endsWith(".vl.json")).map((n): [string, FormatName] => [join(d, "figures", n), "figure"]);
      return [[join(d, "spec.json"), "spec"], [join(d, "result.json"), "result"], [join(d, "run.json"), "run"], [join(d, "report.html"), "report"], ...figures];
    },
  },
];

describe("every writer stamps its files", () => {
  for (const { writer, files } of WRITERS) {
    it(writer, async () => {
      for (const [path, name] of await files()) {
        if (path.endsWith(".html")) {
          expect(readFileSync(path, "utf8"), path).toContain(`<meta name="splitscape" content="${VERSION}"><meta name="splitscape-format" content="report ${FORMAT_VERSIONS.report}">`);
        } else if (path.endsWith(".vl.json")) {
          expectStamp(json(path).usermeta as Record<string, unknown>, name, path);
        } else {
          expectStamp(json(path), name, path);
        }
      }
    }, 120_000);
  }

  it("export / saveModel to .safetensors: __metadata__ carries the stamp and reads back", () => {
    const file = parseSafetensors(safetensorsModelBytes(model), "net.safetensors");
    expect(file.metadata).toMatchObject({ "splitscape.version": VERSION, "splitscape.format": "model-safetensors", "splitscape.format_version": String(FORMAT_VERSIONS["model-safetensors"]) });
    expect(Array.from(safetensorsToModel(file, "net.safetensors").theta)).toEqual(Array.from(model.theta));
  });
});

describe("readers", () => {
  const future = { splitscape: "99.0.0" };
  /** One line: file, field, the version read. */
  const newer = (file: string, field: string, name: FormatName) =>
    new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: ${field.replace(/\./g, "\\.")}: is 2, but splitscape ${VERSION.replace(/\./g, "\\.")} reads ${name} files up to version 1; the file was written by splitscape 99\\.0\\.0: upgrade splitscape to read it$`);

  function errorOf(f: () => unknown): InputError {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).not.toContain("\n");
      return e as InputError;
    }
    throw new Error("expected an InputError");
  }

  it("a dataset or model JSON file of a newer format version is one line naming file, field and the version read", () => {
    const ds = JSON.stringify({ ...future, format: { name: "dataset", version: 2 }, X: [[1]], y: [1] });
    expect(errorOf(() => parseJsonDataset(ds, "new.json")).message).toMatch(newer("new.json", "format.version", "dataset"));
    const m = JSON.stringify({ ...future, format: { name: "model", version: 2 }, kind: "two-layer", activation: "relu", W: [[1]], a: [1] });
    expect(errorOf(() => parseModelText(m, "new-net.json")).message).toMatch(newer("new-net.json", "format.version", "model"));
  });

  it("a run folder's JSON of a newer format version is one line too (readRunJson)", () => {
    const d = mkdtempSync(join(dir, "future-"));
    writeFileSync(join(d, "result.json"), JSON.stringify({ ...future, format: { name: "result", version: 2 }, summary: {}, verdicts: [] }));
    expect(errorOf(() => readRunJson(d, "result.json")).message).toMatch(newer(join(d, "result.json"), "format.version", "result"));
  });

  it("a spec of a newer format version, and a file of another format, are refused", () => {
    expect(errorOf(() => validateSpec({ ...future, format: { name: "spec", version: 2 }, kind: KIND }, "spec.json")).message).toMatch(newer("spec.json", "format.version", "spec"));
    const m = JSON.stringify({ ...formatStamp("dataset"), X: [[1]], y: [1] });
    expect(errorOf(() => parseModelText(m, "data.json")).message).toBe('data.json: format.name: the file is a splitscape "dataset" file, expected a "model" file');
    expect(errorOf(() => readFormat({ format: { name: "model", version: 1.5 } }, "model", "x.json")).message).toBe("x.json: format.version: expected a positive integer format version, got 1.5");
  });

  it("safetensors whose metadata names a newer format version: one line naming the __metadata__ key", () => {
    const file = parseSafetensors(safetensorsModelBytes(model), "net.safetensors");
    const meta = { ...file.metadata, "splitscape.version": "99.0.0", "splitscape.format_version": "2" };
    expect(errorOf(() => safetensorsToModel({ ...file, metadata: meta }, "new.safetensors")).message)
      .toMatch(newer("new.safetensors", "__metadata__.splitscape.format_version", "model-safetensors"));
  });

  it("old unstamped files (version 1) still read, the stamp is removed from what readRunJson returns", () => {
    const ds = parseJsonDataset('{ "X": [[1, 2]], "y": [1] }', "old.json");
    expect(Array.from(ds.X.data)).toEqual([1, 2]);
    const m = parseModelText('{ "kind": "two-layer", "activation": "relu", "W": [[1, 2]], "a": [3] }', "old-net.json");
    expect(Array.from(m.theta)).toEqual([1, 2, 3]);
    expect(readFormat({ X: [] }, "dataset", "old.json")).toEqual({ version: 1, stamped: false });
    const spec = validateSpec({ kind: KIND, seed: 2, splitscape: "0.0.9" }, "old-spec.json");
    expect(spec.spec).toEqual({ kind: KIND, seed: 2, params: { n: 3 } });
    const d = mkdtempSync(join(dir, "old-"));
    writeFileSync(join(d, "result.json"), JSON.stringify({ summary: { a: 1 }, verdicts: [] }));
    expect(readRunJson(d, "result.json")).toEqual({ summary: { a: 1 }, verdicts: [] });
    writeFileSync(join(d, "run.json"), JSON.stringify({ ...formatStamp("run"), id: "x" }));
    expect(readRunJson(d, "run.json")).toEqual({ id: "x" });
    // The files committed before stamps existed (examples/) read as before.
    expect(loadDataset("examples/papers/saddles-5pt-data.json").X.rows).toBe(5);
    expect(loadModel("examples/net4.json").theta.length).toBeGreaterThan(0);
  });

  it("a stamped dataset and model read back equal to what was written", () => {
    const text = datasetToJsonText(parseJsonDataset('{ "X": [[0.1, 2e-300]], "y": [5e-324] }', "in.json"));
    expect(Array.from(parseJsonDataset(text, "out.json").X.data)).toEqual([0.1, 2e-300]);
    expect(Array.from(parseModelText(modelToText(model), "net.json").theta)).toEqual(Array.from(model.theta));
  });
});

it("the report stamp is in the page head", () => {
  const html = renderReportHtml({ title: "t", sections: [], environment: {} });
  expect(html.indexOf(`<meta name="splitscape-format" content="report 1">`)).toBeLessThan(html.indexOf("</head>"));
});
