/**
 * Activation functions σ with exact first and second derivatives, their degree of positive
 * homogeneity, and the Clarke subdifferential at the kink of the piecewise-linear ones.
 *
 * Convention at the kink z = 0 (docs/science/README.md §1.3): σ′(0) is the LEFT derivative — 0 for relu
 * and relu_power, the slope a for leaky_relu — and σ″(0) = 0. Checks that involve kinks use
 * `kinkInterval` (the Clarke set ∂σ(0)) instead of one number.
 */
import { InputError } from "../common/errors.js";
import { erf, normalCdf, normalPdf } from "./erf.js";

/** Names accepted in model files (INTERFACES.md). */
export const ACTIVATION_NAMES = [
  "relu", "leaky_relu", "linear", "relu_power", "tanh", "sigmoid", "softplus", "gelu", "swish", "erf",
] as const;
export type ActivationName = (typeof ACTIVATION_NAMES)[number];

/** An activation σ: a name, plus the slope of leaky_relu or the power of relu_power. */
export type Activation =
  | { readonly name: "relu" }
  | { readonly name: "leaky_relu"; readonly slope: number }
  | { readonly name: "linear" }
  | { readonly name: "relu_power"; readonly power: number }
  | { readonly name: "tanh" | "sigmoid" | "softplus" | "gelu" | "swish" | "erf" };

/** A closed interval [lo, hi]. */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

/** Slope of leaky_relu when a model file writes the bare string "leaky_relu". */
export const DEFAULT_LEAKY_SLOPE = 0.01;
/** Power of relu_power when a model file writes the bare string "relu_power". */
export const DEFAULT_RELU_POWER = 2;

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * Logistic sigmoid 1/(1 + e^{−z}), without overflow for either sign.
 *
 * @param z - any double
 * @returns 1/(1 + e^{−z}) in [0, 1]
 * @example
 * ```ts
 * import { sigmoid } from "splitscape";
 * console.log(sigmoid(0), sigmoid(-800)); // 0.5 0 (no overflow)
 * ```
 */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^{−|z|}), exact for large |z|.
 *
 * @param z - any double
 * @returns log(1 + e^z) ≥ 0
 * @example
 * ```ts
 * import { softplus } from "splitscape";
 * console.log(softplus(0), softplus(1000)); // ln 2 ≈ 0.693, 1000
 * ```
 */
export function softplus(z: number): number {
  return (z > 0 ? z : 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * σ(z).
 *
 * @param act - the activation (makeActivation)
 * @param z - the pre-activation
 * @returns σ(z)
 * @example
 * ```ts
 * import { activationValue, makeActivation } from "splitscape";
 * console.log(activationValue(makeActivation("relu"), -1.5), activationValue(makeActivation("tanh"), 0)); // 0 0
 * ```
 */
export function activationValue(act: Activation, z: number): number {
  switch (act.name) {
    case "relu": return z > 0 ? z : 0;
    case "leaky_relu": return z > 0 ? z : act.slope * z;
    case "linear": return z;
    case "relu_power": return z > 0 ? Math.pow(z, act.power) : 0;
    case "tanh": return Math.tanh(z);
    case "sigmoid": return sigmoid(z);
    case "softplus": return softplus(z);
    case "gelu": return z * normalCdf(z);
    case "swish": return z * sigmoid(z);
    case "erf": return erf(z);
  }
}

/**
 * σ′(z); at the kink z = 0 of relu / leaky_relu the left derivative (0, resp. a).
 *
 * @param act - the activation (makeActivation)
 * @param z - the pre-activation
 * @returns σ′(z) (the left derivative at a kink)
 * @example
 * ```ts
 * import { activationDerivative, makeActivation } from "splitscape";
 * const leaky = makeActivation("leaky_relu", 0.1);
 * console.log(activationDerivative(leaky, 2), activationDerivative(leaky, 0)); // 1 0.1
 * ```
 */
export function activationDerivative(act: Activation, z: number): number {
  switch (act.name) {
    case "relu": return z > 0 ? 1 : 0;
    case "leaky_relu": return z > 0 ? 1 : act.slope;
    case "linear": return 1;
    case "relu_power": return z > 0 ? act.power * Math.pow(z, act.power - 1) : 0;
    case "tanh": { const c = Math.cosh(z); return 1 / (c * c); }
    case "sigmoid": return sigmoid(z) * sigmoid(-z);
    case "softplus": return sigmoid(z);
    case "gelu": return normalCdf(z) + z * normalPdf(z);
    case "swish": { const s = sigmoid(z); return s + z * s * sigmoid(-z); }
    case "erf": return TWO_OVER_SQRT_PI * Math.exp(-z * z);
  }
}

/**
 * σ″(z); 0 for the piecewise-linear activations, and σ″(0) = 0 for relu_power (right limit p(p−1)·0^{p−2}).
 *
 * @param act - the activation (makeActivation)
 * @param z - the pre-activation
 * @returns σ″(z)
 * @example
 * ```ts
 * import { activationSecondDerivative, makeActivation } from "splitscape";
 * console.log(activationSecondDerivative(makeActivation("relu_power", 3), 2)); // 3·2·2 = 12
 * ```
 */
export function activationSecondDerivative(act: Activation, z: number): number {
  switch (act.name) {
    case "relu": case "leaky_relu": case "linear": return 0;
    case "relu_power": return z > 0 ? act.power * (act.power - 1) * Math.pow(z, act.power - 2) : 0;
    case "tanh": { const c = Math.cosh(z); return (-2 * Math.tanh(z)) / (c * c); }
    case "sigmoid": { const sp = sigmoid(z); const sm = sigmoid(-z); return sp * sm * (sm - sp); }
    case "softplus": return sigmoid(z) * sigmoid(-z);
    case "gelu": return normalPdf(z) * (2 - z * z);
    case "swish": { const sp = sigmoid(z); const sm = sigmoid(-z); return sp * sm * (2 + z * (sm - sp)); }
    case "erf": return -2 * z * TWO_OVER_SQRT_PI * Math.exp(-z * z);
  }
}

/**
 * Degree p of positive homogeneity, σ(cz) = c^p σ(z) for c > 0: 1 for relu, leaky_relu, linear;
 * the power for relu_power; null for the others.
 *
 * @param act - the activation
 * @returns the degree p, or null when σ is not positively homogeneous
 * @example
 * ```ts
 * import { activationHomogeneity, makeActivation } from "splitscape";
 * console.log(activationHomogeneity(makeActivation("relu_power", 3)), activationHomogeneity(makeActivation("gelu"))); // 3 null
 * ```
 */
export function activationHomogeneity(act: Activation): number | null {
  switch (act.name) {
    case "relu": case "leaky_relu": case "linear": return 1;
    case "relu_power": return act.power;
    default: return null;
  }
}

/**
 * Clarke subdifferential ∂σ(0) at the kink of a piecewise-linear σ: [0, 1] for relu,
 * [min(a,1), max(a,1)] for leaky_relu (slope a); null when σ is differentiable at 0.
 *
 * @param act - the activation
 * @returns [lo, hi] = ∂σ(0), or null for a σ differentiable at 0
 * @example
 * ```ts
 * import { kinkInterval, makeActivation } from "splitscape";
 * console.log(kinkInterval(makeActivation("relu"))); // { lo: 0, hi: 1 }
 * ```
 */
export function kinkInterval(act: Activation): Interval | null {
  switch (act.name) {
    case "relu": return { lo: 0, hi: 1 };
    case "leaky_relu": return act.slope === 1 ? null : { lo: Math.min(act.slope, 1), hi: Math.max(act.slope, 1) };
    default: return null;
  }
}

/**
 * Clarke subdifferential ∂σ(z): the kink interval at z = 0 for relu-type σ, else {σ′(z)}.
 *
 * @param act - the activation
 * @param z - the pre-activation
 * @returns the interval ∂σ(z) (lo = hi where σ is differentiable)
 * @example
 * ```ts
 * import { clarkeDerivative, makeActivation } from "splitscape";
 * const relu = makeActivation("relu");
 * console.log(clarkeDerivative(relu, 0), clarkeDerivative(relu, 2)); // { lo: 0, hi: 1 } { lo: 1, hi: 1 }
 * ```
 */
export function clarkeDerivative(act: Activation, z: number): Interval {
  if (z === 0) {
    const k = kinkInterval(act);
    if (k) return k;
  }
  const g = activationDerivative(act, z);
  return { lo: g, hi: g };
}

/**
 * Vectorised σ over z[off .. off+len): writes σ(z), σ′(z), σ″(z) into `value`, `d1`, `d2` at the
 * same indices (each may be null to skip it; `value` may alias `z`). The switch on the kind is
 * outside the loops.
 */
export function applyActivation(
  act: Activation, z: Float64Array, off: number, len: number,
  value: Float64Array | null, d1: Float64Array | null, d2: Float64Array | null,
): void {
  const end = off + len;
  switch (act.name) {
    case "relu": case "leaky_relu": case "linear": {
      const lo = act.name === "relu" ? 0 : act.name === "leaky_relu" ? act.slope : 1;
      const dl = 1 - lo;
      for (let i = off; i < end; i++) {
        const x = z[i];
        const s = lo + dl * +(x > 0); // branch-free: ~5× faster than x > 0 ? 1 : lo on random signs
        if (d1) d1[i] = s;
        if (d2) d2[i] = 0;
        if (value) value[i] = s * x;
      }
      return;
    }
    case "relu_power": {
      const p = act.power;
      const c1 = p;
      const c2 = p * (p - 1);
      for (let i = off; i < end; i++) {
        const x = z[i];
        if (x > 0) {
          const t = p === 2 ? 1 : Math.pow(x, p - 2);
          if (d2) d2[i] = c2 * t;
          if (d1) d1[i] = c1 * t * x;
          if (value) value[i] = t * x * x;
        } else {
          if (d2) d2[i] = 0;
          if (d1) d1[i] = 0;
          if (value) value[i] = 0;
        }
      }
      return;
    }
    case "tanh":
      // e = e^{−2|x|}: tanh′ = 4e/(1 + e)² (relative accuracy for every x), tanh|x| = (1 − e)/(1 + e)
      // when there is no cancellation (|x| ≥ 0.5), Math.tanh below.
      for (let i = off; i < end; i++) {
        const x = z[i];
        const e = Math.exp(-2 * Math.abs(x));
        const q = 1 + e;
        const t = Math.abs(x) < 0.5 ? Math.tanh(x) : x < 0 ? (e - 1) / q : (1 - e) / q;
        const s = (4 * e) / (q * q);
        if (d1) d1[i] = s;
        if (d2) d2[i] = -2 * t * s;
        if (value) value[i] = t;
      }
      return;
    case "sigmoid":
      // e = e^{−|x|}: σ(x), σ(−x) = 1/(1 + e), e/(1 + e) in the order of the sign of x.
      for (let i = off; i < end; i++) {
        const x = z[i];
        const e = Math.exp(-Math.abs(x));
        const inv = 1 / (1 + e);
        const sp = x >= 0 ? inv : e * inv;
        const sm = x >= 0 ? e * inv : inv;
        const s = e * inv * inv;
        if (d1) d1[i] = s;
        if (d2) d2[i] = s * (sm - sp);
        if (value) value[i] = sp;
      }
      return;
    case "softplus":
      for (let i = off; i < end; i++) {
        const x = z[i];
        const e = Math.exp(-Math.abs(x));
        const inv = 1 / (1 + e);
        if (d1) d1[i] = x >= 0 ? inv : e * inv;
        if (d2) d2[i] = e * inv * inv;
        if (value) value[i] = (x > 0 ? x : 0) + Math.log1p(e);
      }
      return;
    case "gelu":
      for (let i = off; i < end; i++) {
        const x = z[i];
        const cdf = normalCdf(x);
        const pdf = normalPdf(x);
        if (d1) d1[i] = cdf + x * pdf;
        if (d2) d2[i] = pdf * (2 - x * x);
        if (value) value[i] = x * cdf;
      }
      return;
    case "swish":
      for (let i = off; i < end; i++) {
        const x = z[i];
        const e = Math.exp(-Math.abs(x));
        const inv = 1 / (1 + e);
        const sp = x >= 0 ? inv : e * inv;
        const sm = x >= 0 ? e * inv : inv;
        const s = e * inv * inv;
        if (d1) d1[i] = sp + x * s;
        if (d2) d2[i] = s * (2 + x * (sm - sp));
        if (value) value[i] = x * sp;
      }
      return;
    case "erf":
      for (let i = off; i < end; i++) {
        const x = z[i];
        const g = TWO_OVER_SQRT_PI * Math.exp(-x * x);
        if (d1) d1[i] = g;
        if (d2) d2[i] = -2 * x * g;
        if (value) value[i] = erf(x);
      }
      return;
  }
}

/**
 * For the piecewise-linear activations σ(z) = z for z > 0, a·z otherwise: the left slope a
 * (0 relu, slope leaky_relu, 1 linear); null for every other σ. Hot paths use it to avoid
 * storing σ(Z) and σ′(Z).
 *
 * @param act - the activation
 * @returns the slope a of σ on z < 0, or null when σ is not piecewise linear of this form
 * @example
 * ```ts
 * import { makeActivation, piecewiseLinearSlope } from "splitscape";
 * console.log(piecewiseLinearSlope(makeActivation("leaky_relu", 0.2)), piecewiseLinearSlope(makeActivation("tanh"))); // 0.2 null
 * ```
 */
export function piecewiseLinearSlope(act: Activation): number | null {
  switch (act.name) {
    case "relu": return 0;
    case "leaky_relu": return act.slope;
    case "linear": return 1;
    default: return null;
  }
}

/**
 * Short label: "relu", "leaky_relu(0.01)", "relu_power(3)".
 *
 * @param act - the activation
 * @returns its short label, as used in descriptions and tables
 * @example
 * ```ts
 * import { formatActivation, makeActivation } from "splitscape";
 * console.log(formatActivation(makeActivation("leaky_relu", 0.01))); // "leaky_relu(0.01)"
 * ```
 */
export function formatActivation(act: Activation): string {
  if (act.name === "leaky_relu") return `leaky_relu(${act.slope})`;
  if (act.name === "relu_power") return `relu_power(${act.power})`;
  return act.name;
}

/**
 * Equality of two activations (name and parameter).
 *
 * @param a - an activation
 * @param b - another activation
 * @returns true when both are the same function
 * @example
 * ```ts
 * import { makeActivation, sameActivation } from "splitscape";
 * console.log(sameActivation(makeActivation("leaky_relu", 0.01), makeActivation("leaky_relu"))); // true (0.01 is the default slope)
 * ```
 */
export function sameActivation(a: Activation, b: Activation): boolean {
  if (a.name !== b.name) return false;
  if (a.name === "leaky_relu" && b.name === "leaky_relu") return a.slope === b.slope;
  if (a.name === "relu_power" && b.name === "relu_power") return a.power === b.power;
  return true;
}

/**
 * Build an activation from its name and optional parameter (slope of leaky_relu, power of
 * relu_power); throws RangeError on an unknown name or a bad parameter.
 *
 * @param name - `relu`, `leaky_relu`, `linear`, `relu_power`, `tanh`, `sigmoid`, `softplus`, `gelu`, `swish` or `erf`
 * @param param - the slope of leaky_relu or the power of relu_power
 * @returns the activation, a plain record `{name, slope?, power?}` (evaluate it with `activationValue`)
 * @example
 * ```ts
 * import { activationValue, makeActivation } from "splitscape";
 * const leaky = makeActivation("leaky_relu", 0.01);
 * console.log(leaky.name, activationValue(leaky, -2)); // leaky_relu -0.02
 * ```
 */
export function makeActivation(name: string, param?: number): Activation {
  if (!(ACTIVATION_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`unknown activation ${JSON.stringify(name)}; allowed: ${ACTIVATION_NAMES.join(", ")}`);
  }
  if (name === "leaky_relu") {
    const slope = param ?? DEFAULT_LEAKY_SLOPE;
    if (!Number.isFinite(slope)) throw new RangeError(`leaky_relu: slope must be a finite number, got ${slope}`);
    return { name, slope };
  }
  if (name === "relu_power") {
    const power = param ?? DEFAULT_RELU_POWER;
    if (!(Number.isFinite(power) && power >= 2)) throw new RangeError(`relu_power: power must be a number ≥ 2, got ${power}`);
    return { name, power };
  }
  return { name } as Activation;
}

/**
 * Parse the `activation` field of a model file: a name string (leaky_relu defaults to slope
 * 0.01, relu_power to power 2) or `{ "name": ..., "slope"|"power": ... }`. InputError names the
 * source and field and lists the allowed names.
 *
 * @param json - the field's value: a name string or an object `{ name, slope? , power? }`
 * @param source - the file (or other source) named in the error message
 * @param field - the field named in the error message (default "activation")
 * @returns the activation; InputError on an unknown name or bad parameter
 * @example
 * ```ts
 * import { parseActivation } from "splitscape";
 * const act = parseActivation(JSON.parse('{ "name": "leaky_relu", "slope": 0.2 }'), "my-model.json");
 * console.log(act); // { name: "leaky_relu", slope: 0.2 }
 * ```
 */
export function parseActivation(json: unknown, source: string, field = "activation"): Activation {
  let name: unknown;
  let param: unknown;
  let paramKey = "";
  if (typeof json === "string") {
    name = json;
  } else if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    name = o.name;
    if (name === "leaky_relu") paramKey = "slope";
    if (name === "relu_power") paramKey = "power";
    if (paramKey) param = o[paramKey];
  } else {
    throw new InputError(source, `expected an activation name or {"name": ...}, got ${describe(json)}`, field);
  }
  if (typeof name !== "string" || !(ACTIVATION_NAMES as readonly string[]).includes(name)) {
    throw new InputError(source, `unknown activation ${describe(name)}; allowed: ${ACTIVATION_NAMES.join(", ")}`, field);
  }
  if (param !== undefined && (typeof param !== "number" || !Number.isFinite(param))) {
    throw new InputError(source, `${paramKey} must be a finite number, got ${describe(param)}`, `${field}.${paramKey}`);
  }
  if (name === "relu_power" && param !== undefined && (param as number) < 2) {
    throw new InputError(source, `power must be ≥ 2, got ${param}`, `${field}.power`);
  }
  return makeActivation(name, param as number | undefined);
}

/**
 * JSON form of an activation: the bare name, or {name, slope} / {name, power}.
 *
 * @param act - the activation
 * @returns the value to store in a model file's `activation` field (parseActivation reads it back)
 * @example
 * ```ts
 * import { activationToJson, makeActivation } from "splitscape";
 * console.log(JSON.stringify(activationToJson(makeActivation("relu_power", 3)))); // {"name":"relu_power","power":3}
 * ```
 */
export function activationToJson(act: Activation): string | { name: string; slope?: number; power?: number } {
  if (act.name === "leaky_relu") return { name: act.name, slope: act.slope };
  if (act.name === "relu_power") return { name: act.name, power: act.power };
  return act.name;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
