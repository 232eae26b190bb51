import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { InputError } from "../../src/common/errors.js";
import {
  experimentKinds,
  expandGrid,
  gridSize,
  loadSpec,
  registerExperiment,
  unregisterExperiment,
  validateSpec,
} from "../../src/experiments/index.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-spec-"));

/** A throw-away kind with enum, integer, nested and list params. */
beforeAll(() => {
  registerExperiment({
    kind: "test-spec-kind",
    family: "foundation",
    title: "spec test",
    schema: z.strictObject({
      width: z.number().int().min(1).max(1000).default(4),
      activation: z.enum(["relu", "tanh", "linear"]).default("relu"),
      steps: z.array(z.number().positive()).default([1, 2]),
      opts: z.strictObject({ tol: z.number().positive().default(1e-8) }).default({ tol: 1e-8 }),
    }),
    run: async () => ({ summary: {}, verdicts: [], series: {} }),
    figures: () => [],
  });
});
afterAll(() => {
  unregisterExperiment("test-spec-kind");
  rmSync(dir, { recursive: true, force: true });
});

/** The InputError thrown by validating `raw`. */
function inputError(raw: unknown): InputError {
  try {
    validateSpec(raw, "spec.yaml");
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("spec validation", () => {
  it("fills defaults", () => {
    const { spec, grid } = validateSpec({ kind: "test-spec-kind", params: { width: 8 } }, "s");
    expect(spec).toEqual({ kind: "test-spec-kind", seed: 0, params: { width: 8, activation: "relu", steps: [1, 2], opts: { tol: 1e-8 } } });
    expect(grid).toBeUndefined();
  });

  it("an unknown kind lists the registered kinds", () => {
    const e = inputError({ kind: "nope" });
    expect(e.field).toBe("kind");
    expect(e.source).toBe("spec.yaml");
    expect(e.message).toContain('unknown experiment kind "nope"');
    for (const k of experimentKinds()) expect(e.message).toContain(k);
    expect(e.message).toContain("linalg-check");
  });

  it("a wrong type names the field path and what is expected", () => {
    const e = inputError({ kind: "test-spec-kind", params: { width: "8" } });
    expect(e.field).toBe("params.width");
    expect(e.message).toContain("expected an integer in [1, 1000]");
    expect(e.message).toContain('got "8"');
    const nested = inputError({ kind: "test-spec-kind", params: { opts: { tol: -1 } } });
    expect(nested.field).toBe("params.opts.tol");
    expect(nested.message).toContain("a number > 0");
    const list = inputError({ kind: "test-spec-kind", params: { steps: [1, "x"] } });
    expect(list.field).toBe("params.steps[1]");
  });

  it("an enum value outside the allowed ones lists them", () => {
    const e = inputError({ kind: "test-spec-kind", params: { activation: "gelu" } });
    expect(e.field).toBe("params.activation");
    expect(e.message).toContain('expected one of "relu", "tanh", "linear", got "gelu"');
  });

  it("unknown fields list the allowed fields", () => {
    const p = inputError({ kind: "test-spec-kind", params: { widht: 3 } });
    expect(p.field).toBe("params.widht");
    expect(p.message).toContain("allowed fields of params: width, activation, steps, opts");
    const top = inputError({ kind: "test-spec-kind", sed: 3 });
    expect(top.field).toBe("sed");
    expect(top.message).toContain("kind, seed, title, params, grid");
  });

  it("a bad seed and several problems at once are all reported", () => {
    const e = inputError({ kind: "test-spec-kind", seed: -1, params: { width: 0, activation: 1 } });
    expect(e.field).toBe("seed");
    const e2 = inputError({ kind: "test-spec-kind", params: { width: 0, activation: 1 } });
    expect(e2.field).toBe("params.width");
    expect(e2.message).toContain("also params.activation");
  });

  it("grids: unknown axes and bad values are named grid.<axis>", () => {
    const axis = inputError({ kind: "test-spec-kind", grid: { depth: [1, 2] } });
    expect(axis.field).toBe("grid.depth");
    expect(axis.message).toContain("allowed axes for test-spec-kind: seed, width, activation, steps, opts");
    const value = inputError({ kind: "test-spec-kind", grid: { width: [2, 2000] } });
    expect(value.field).toBe("grid.width");
    const seed = inputError({ kind: "test-spec-kind", grid: { seed: [1, 1.5] } });
    expect(seed.field).toBe("grid.seed[1]");
    const empty = inputError({ kind: "test-spec-kind", grid: { width: [] } });
    expect(empty.field).toBe("grid.width");
  });
});

describe("spec files", () => {
  it("reads YAML and JSON; parse errors name the file", () => {
    const y = join(dir, "a.yaml");
    writeFileSync(y, "kind: test-spec-kind\nseed: 5\nparams:\n  activation: tanh\ngrid:\n  width: [1, 2, 3]\n  seed: [1, 2]\n");
    const loaded = loadSpec(y);
    expect(loaded.spec.seed).toBe(5);
    expect(loaded.spec.params.activation).toBe("tanh");
    expect(loaded.grid).toEqual({ width: [1, 2, 3], seed: [1, 2] });
    const j = join(dir, "a.json");
    writeFileSync(j, JSON.stringify({ kind: "test-spec-kind" }));
    expect(loadSpec(j).spec.params.width).toBe(4);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ kind: ");
    expect(() => loadSpec(bad)).toThrow(/bad\.json: not valid JSON/);
    expect(() => loadSpec(join(dir, "missing.yaml"))).toThrow(/missing\.yaml: no such file, expected a spec file/);
  });
});

describe("grid expansion", () => {
  it("is the cartesian product, last axis fastest, with seeds applied and duplicates merged", () => {
    const { spec, grid } = validateSpec({ kind: "test-spec-kind", seed: 9, grid: { width: [1, 2, 2], seed: [1, 2] } }, "s");
    expect(gridSize(grid!)).toBe(6);
    const cells = expandGrid(spec, grid!);
    expect(cells.map((c) => [c.spec.params.width, c.spec.seed])).toEqual([
      [1, 1],
      [1, 2],
      [2, 1],
      [2, 2],
    ]);
    expect(cells[3].values).toEqual({ width: 2, seed: 2 });
    expect(new Set(cells.map((c) => c.hash)).size).toBe(4);
    expect(cells.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    // the hash depends on content only
    expect(expandGrid(spec, { seed: [2], width: [2] })[0].hash).toBe(cells[3].hash);
    // no grid: one cell, the base spec
    expect(expandGrid(spec, {})).toHaveLength(1);
    expect(expandGrid(spec, {})[0].spec.seed).toBe(9);
  });
});
