import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../common/errors.js";
import { loadDataset, type Dataset } from "../data/index.js";
import { loadModel, type Model } from "../model/index.js";

/**
 * The committed inputs of the published experiments (examples/papers/, provenance in its
 * README): data sets, starting weights, batch orders and the published curves read from the
 * authors' figures. They ship with the package; this module finds and parses them.
 */

/** The package root: two levels above this module (src/reproduce or dist/reproduce). */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
}

/** Path of a file in examples/papers/ (InputError if the package lacks it). */
export function paperFile(name: string): string {
  const path = join(packageRoot(), "examples", "papers", name);
  if (!existsSync(path)) throw new InputError(path, "missing: the published experiments' inputs ship in examples/papers/ of the splitscape package");
  return path;
}

/** A data set of examples/papers/. */
export function paperData(name: string): Dataset {
  return loadDataset(paperFile(name));
}

/** A model file of examples/papers/ (starting weights). */
export function paperModel(name: string): Model {
  return loadModel(paperFile(name));
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new InputError(path, `not valid JSON (${(err as Error).message})`);
  }
}

function isIndexList(v: unknown, n: number): v is number[] {
  return Array.isArray(v) && v.length === n && v.every((i) => Number.isInteger(i) && i >= 0 && i < n) && new Set(v).size === n;
}

/** The batch orders of the SGD experiments (embedding-sgd-batches.json): permutations of 0..n−1. */
export interface SgdBatchOrders {
  batchSize: number;
  /** Experiment 2a: one loader; both networks see these batches. */
  exp2a: number[];
  /** Experiment 2b: one loader per network. */
  exp2b: { narrow: number[]; wide: number[] };
}

/** Read embedding-sgd-batches.json for a data set of n samples. */
export function sgdBatchOrders(n: number): SgdBatchOrders {
  const path = paperFile("embedding-sgd-batches.json");
  const v = readJson(path) as Partial<SgdBatchOrders>;
  if (!Number.isInteger(v.batchSize) || (v.batchSize ?? 0) < 1) throw new InputError(path, "expected a positive integer", "batchSize");
  if (!isIndexList(v.exp2a, n)) throw new InputError(path, `expected a permutation of 0..${n - 1}`, "exp2a");
  if (!isIndexList(v.exp2b?.narrow, n) || !isIndexList(v.exp2b?.wide, n)) throw new InputError(path, `expected two permutations of 0..${n - 1}`, "exp2b");
  return v as SgdBatchOrders;
}

/** A published curve read from an authors' figure (examples/papers/published-curves.json). */
export interface PublishedCurve {
  /** Repository, commit and figure file (or notebook cell). */
  source: string;
  /** What the curve is (which quantity at which step). */
  what: string;
  /** "vector": vertices of a PDF path (exact data points); "raster": one point per pixel column. */
  kind: "vector" | "raster";
  xScale: "linear" | "log";
  yScale: "linear" | "log";
  /**
   * Reading resolution of one coordinate: for vector figures 1e-6 pt (y in data units, or in
   * log10 units on a log axis), for raster figures one pixel (data units).
   */
  resolution: { x: number | null; y: number };
  /** [x, y] pairs: x the step (or epoch), y the plotted value. */
  points: Array<[number, number]>;
}

let curves: Record<string, PublishedCurve> | undefined;

/** The published curve `key` (e.g. "exp1-loss"). */
export function publishedCurve(key: string): PublishedCurve {
  const path = paperFile("published-curves.json");
  curves ??= readJson(path) as Record<string, PublishedCurve>;
  const c = curves[key];
  const ok = c && Array.isArray(c.points) && c.points.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite)) && Number.isFinite(c.resolution?.y);
  if (!ok) throw new InputError(path, "expected {source, kind, xScale, yScale, resolution, points: [[x, y], …]}", key);
  return c;
}
