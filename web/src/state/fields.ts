// Every control of every view: its URL key, label, type, range and default. The controls, the
// URL codec and the engine configs are all built from this one table.
import { ACTIVATION_NAMES, LOSS_NAMES } from "../../../src/model/index.js";

export const VIEW_IDS = ["train", "split", "smallinit", "convex", "plateau", "inspect"] as const;
export type ViewId = (typeof VIEW_IDS)[number];

interface FieldBase {
  key: string;
  label: string;
  /** A sentence for the control's description (title/aria-description). */
  help?: string;
}
export type Field = FieldBase & (
  | { kind: "int"; default: number; min: number; max: number }
  | { kind: "number"; default: number; min: number; max: number; positive?: boolean; step?: number; slider?: "linear" | "log10" }
  | { kind: "enum"; default: string; values: readonly string[] }
  | { kind: "bool"; default: boolean }
  | { kind: "text"; default: string; maxLength: number }
);

const data = (def: string): Field => ({ key: "data", label: "data set", kind: "text", default: def, maxLength: 2000, help: "a builtin:NAME?key=value&… address (as the CLI's --data) or an uploaded file" });
const seed = (def = 0): Field => ({ key: "seed", label: "seed", kind: "int", default: def, min: 0, max: 2 ** 31 - 1, help: "seed of the initialisation (and of SGD's batch order)" });
const speed: Field = { key: "speed", label: "steps per update", kind: "int", default: 10, min: 1, max: 100_000, help: "steps taken between two redraws (one chunk)" };
const at: Field = { key: "at", label: "step reached", kind: "int", default: 0, min: 0, max: 100_000_000, help: "training is replayed to this step when the page loads" };

/** The slice panel's fields (Train and Plateau views): directions in the CLI's --along/--plane grammar. */
const DIRECTION_HELP = "random[:SEED], random-plain[:SEED], hessian:K, plateau:UNIT, plateau-across:UNIT[:I], to:init (the initial network)";
const sliceFields = (along: string, plane: string, extent: number): Field[] => [
  { key: "slicealong", label: "slice along (x)", kind: "text", default: along, maxLength: 200, help: DIRECTION_HELP },
  { key: "sliceplane", label: "and (y; empty for a 1-D slice)", kind: "text", default: plane, maxLength: 200, help: DIRECTION_HELP },
  { key: "sliceext", label: "half-width of an axis", kind: "number", default: extent, min: 1e-6, max: 1e3, positive: true, help: "t ∈ [−w, w] (to:init: t ∈ [−0.5, 1.5])" },
  { key: "slicen", label: "grid points per axis", kind: "int", default: 41, min: 3, max: 121 },
  { key: "slicelog", label: "logarithmic F", kind: "bool", default: false },
];

export const VIEW_FIELDS: Record<ViewId, Field[]> = {
  train: [
    data("builtin:moons?n=200&seed=0&noise=0.1"),
    seed(0),
    { key: "width", label: "width", kind: "int", default: 8, min: 1, max: 256 },
    { key: "depth", label: "hidden layers", kind: "int", default: 1, min: 1, max: 4, help: "1: two-layer network; more: a bias-free MLP" },
    { key: "activation", label: "activation", kind: "enum", default: "relu", values: ACTIVATION_NAMES },
    { key: "slope", label: "leaky slope / power", kind: "number", default: 0.1, min: 0, max: 10 },
    { key: "bias", label: "input biases", kind: "bool", default: true, help: "two-layer only" },
    { key: "loss", label: "loss", kind: "enum", default: "logistic", values: LOSS_NAMES },
    { key: "mean", label: "mean over samples", kind: "bool", default: true },
    { key: "method", label: "method", kind: "enum", default: "gd", values: ["gd", "sgd", "flow", "rk4", "loss-based"] },
    { key: "lr", label: "learning rate", kind: "number", default: 0.5, min: 1e-8, max: 1e6, positive: true, slider: "log10", help: "GD/SGD step, RK4 step h, loss-based α₀" },
    { key: "batch", label: "batch size", kind: "int", default: 16, min: 1, max: 1_000_000 },
    { key: "scale", label: "initial norm ‖θ(0)‖", kind: "number", default: 0, min: 0, max: 1e6, help: "0: fan-in Gaussian draw" },
    speed,
    at,
    ...sliceFields("to:init", "hessian:1", 1),
  ],
  split: [
    data("builtin:blobs?n=100&seed=0&std=0.8"),
    seed(0),
    { key: "width", label: "narrow width m", kind: "int", default: 2, min: 1, max: 64 },
    { key: "activation", label: "activation", kind: "enum", default: "leaky_relu", values: ACTIVATION_NAMES },
    { key: "slope", label: "leaky slope / power", kind: "number", default: 0.01, min: 0, max: 10 },
    { key: "unit", label: "unit j", kind: "int", default: 0, min: 0, max: 63 },
    { key: "coeffs", label: "coefficients c", kind: "text", default: "0.6,0.8", maxLength: 400, help: "c₁,…,c_r ≥ 0 with Σc² = 1" },
    { key: "loss", label: "loss", kind: "enum", default: "exponential", values: ["exponential", "logistic"] },
    { key: "mean", label: "mean over samples", kind: "bool", default: true },
    { key: "method", label: "method", kind: "enum", default: "gd", values: ["gd", "sgd"] },
    { key: "lr", label: "learning rate", kind: "number", default: 0.1, min: 1e-8, max: 1e6, positive: true, slider: "log10" },
    { key: "batch", label: "batch size", kind: "int", default: 16, min: 1, max: 1_000_000 },
    speed,
    at,
  ],
  smallinit: [
    data("builtin:sin?n=20&seed=3&d=2"),
    seed(3),
    { key: "width", label: "width", kind: "int", default: 8, min: 1, max: 64 },
    { key: "slope", label: "leaky slope", kind: "number", default: 0.1, min: 0, max: 0.99 },
    { key: "log10delta", label: "log₁₀ δ (initial scale)", kind: "number", default: -20, min: -80, max: -1, step: 1, slider: "linear" },
    { key: "horizon", label: "horizon (× predicted escape)", kind: "number", default: 1.3, min: 1.05, max: 20, step: 0.05 },
    { key: "time", label: "time shown (fraction of the run)", kind: "number", default: 1, min: 0, max: 1, step: 0.001, slider: "linear" },
  ],
  convex: [
    data("builtin:teacher?n=12&seed=1&task=regression"),
    { key: "log10beta", label: "log₁₀ β (weight decay)", kind: "number", default: -1.3, min: -4, max: 1, step: 0.05, slider: "linear" },
    { key: "bias", label: "regularised bias", kind: "bool", default: false },
    { key: "width", label: "trained width", kind: "int", default: 8, min: 1, max: 200 },
    seed(0),
    { key: "lr", label: "GD step", kind: "number", default: 0.02, min: 1e-6, max: 10, positive: true },
    { key: "steps", label: "GD steps", kind: "int", default: 20000, min: 0, max: 1_000_000 },
    { key: "initscale", label: "initial weight std", kind: "number", default: 0.5, min: 1e-8, max: 100, positive: true },
  ],
  plateau: [
    { key: "activation", label: "activation", kind: "enum", default: "tanh", values: ["tanh", "sigmoid", "softplus", "gelu", "swish", "erf"] },
    { key: "d", label: "input dimension d", kind: "int", default: 2, min: 1, max: 4 },
    { key: "m", label: "width m", kind: "int", default: 3, min: 1, max: 6 },
    { key: "target", label: "inner Hessian H_j", kind: "enum", default: "positive-definite", values: ["positive-definite", "negative-definite", "indefinite", "singular"] },
    { key: "stationary", label: "θ* is a", kind: "enum", default: "minimum", values: ["minimum", "saddle"] },
    seed(0),
    { key: "k", label: "copies k", kind: "enum", default: "2", values: ["2", "3"] },
    { key: "lmin", label: "λ from", kind: "number", default: -0.5, min: -10, max: 10 },
    { key: "lmax", label: "λ to", kind: "number", default: 1.5, min: -10, max: 10 },
    { key: "points", label: "points on the line", kind: "int", default: 21, min: 3, max: 101 },
    { key: "simplexn", label: "simplex resolution", kind: "int", default: 6, min: 1, max: 12 },
    { key: "l1", label: "λ₁ (selected)", kind: "number", default: 0.3, min: -10, max: 10, step: 0.01, slider: "linear" },
    { key: "l2", label: "λ₂ (selected, k = 3)", kind: "number", default: 0.3, min: -10, max: 10, step: 0.01 },
    ...sliceFields("plateau:0", "plateau-across:0", 1),
  ],
  inspect: [
    { key: "model", label: "model", kind: "text", default: "", maxLength: 2000, help: "an uploaded model file: splitscape model JSON or safetensors weights" },
    data("builtin:moons?n=200&seed=0&noise=0.1"),
    { key: "arch", label: "layers of safetensors weights (--arch)", kind: "text", default: "", maxLength: 400, help: "e.g. linear,relu,linear; empty: from the file's splitscape metadata" },
    { key: "loss", label: "loss", kind: "enum", default: "auto", values: ["auto", ...LOSS_NAMES], help: "auto: logistic for ±1 labels, else square (the CLI's default)" },
    { key: "mean", label: "mean over samples", kind: "bool", default: false },
    { key: "beta", label: "weight decay β", kind: "number", default: 0, min: 0, max: 1e6, help: "F = L + (β/2)‖θ‖²; the convex certificate needs β > 0" },
    { key: "convexseconds", label: "convex solve budget (s)", kind: "number", default: 10, min: 0.1, max: 600, positive: true, help: "the CLI's --convex-seconds (default 10)" },
  ],
};

/** The field of a view by key (a bug if absent). */
export function fieldOf(view: ViewId, key: string): Field {
  const f = VIEW_FIELDS[view].find((x) => x.key === key);
  if (f === undefined) throw new Error(`no field ${key} in view ${view}`);
  return f;
}
