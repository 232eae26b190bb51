// The connectivity staircase (docs/science/convex.md §5, the width phase transition = Theorem 2,
// on the optimal set of §3, Theorem 1) as a computed table. For m ≥ m* an optimal network of
// width m is an assignment of ≤ m neurons (√t ū_k, s_k√t) to active directions k with per-direction
// sums c_k = Σ t forming a point of P* = {c ≥ 0 : Σ_k c_k f_k = ŷ*}. Consequences used here:
//  * up to permutation, the width-m optimal set is (up to splitting c_k over several neurons, a
//    connected simplex of choices) P*_m = {c ∈ P* : |supp c| ≤ m}, a union of faces of P*; two
//    faces meet iff they share a vertex, so P*_m is connected iff the graph on vertices with
//    |S| ≤ m and edges |S ∪ S'| ≤ m is connected, and its components are that graph's components;
//  * the segment between two points of P* lies in P* (convexity), so vertices V, V' with
//    |S ∪ S'| ≤ m are joined at width m by moving every neuron's t linearly (one neuron per
//    direction of S ∪ S', zero neurons for the rest);
//  * moving t from a neuron to a zero neuron of the same direction ("split") keeps c, hence the
//    output and the penalty: a non-constant optimal path.
// Every path is sampled and its nonconvex objective compared with the certified optimum.
import { type Matrix, nrm2, svd } from "../../linalg/index.js";
import { nonconvexObjective, type ReluNetwork, zeroNetwork } from "../network/index.js";
import type { ConvexProblem } from "../program/index.js";
import type { OptimalDirection, OptimalSet, OptimalVertex } from "./optimalSet.js";

/** One neuron slot of a width-m network on the optimal directions: direction index and t ≥ 0 (t = 0: the zero neuron). */
export interface Slot {
  readonly direction: number;
  readonly t: number;
}

/**
 * The network of `slots`: slot j becomes the balanced neuron (√t_j ū_k, s_k √t_j) of its direction
 * k (0 when t_j = 0); its output is Σ_k c_k f_k with c_k the sum of t over the slots of k.
 */
export function slotsNetwork(directions: readonly OptimalDirection[], slots: readonly Slot[]): ReluNetwork {
  const D = directions.length > 0 ? directions[0].direction.length : 0;
  const m = slots.length;
  const W = new Float64Array(m * D);
  const alpha = new Float64Array(m);
  slots.forEach((s, j) => {
    if (!(s.t >= 0) || !Number.isFinite(s.t)) throw new RangeError(`slotsNetwork: slot ${j} has weight ${s.t} (need finite t ≥ 0)`);
    if (s.t === 0) return;
    const dir = directions[s.direction];
    if (dir === undefined) throw new RangeError(`slotsNetwork: slot ${j} uses direction ${s.direction} of ${directions.length}`);
    const r = Math.sqrt(s.t);
    for (let q = 0; q < D; q++) W[j * D + q] = r * dir.direction[q];
    alpha[j] = dir.sign * r;
  });
  return { W, alpha, m, D };
}

/** The slots of a vertex network padded with zero neurons to `width`. */
export function vertexSlots(vertex: OptimalVertex, width: number): Slot[] {
  if (vertex.support.length > width) throw new RangeError(`vertexSlots: the vertex has ${vertex.support.length} neurons > width ${width}`);
  const slots: Slot[] = vertex.support.map((k, j) => ({ direction: k, t: vertex.weights[j] }));
  while (slots.length < width) slots.push({ direction: vertex.support[0] ?? 0, t: 0 });
  return slots;
}

/**
 * The keyframe after moving all of slot `from`'s weight to the zero slot `to` (same direction):
 * along the move t_from = (1 − s)c, t_to = s c, so c and the output never change.
 */
export function splitKeyframe(slots: readonly Slot[], from: number, to: number): Slot[] {
  if (from === to || slots[from] === undefined || slots[to] === undefined) throw new RangeError(`splitKeyframe: slots ${from} → ${to} of ${slots.length}`);
  if (slots[to].t !== 0) throw new RangeError(`splitKeyframe: slot ${to} is not a zero neuron (t = ${slots[to].t})`);
  const next = slots.map((s) => ({ ...s }));
  next[to] = { direction: slots[from].direction, t: slots[from].t };
  next[from] = { direction: slots[from].direction, t: 0 };
  return next;
}

/**
 * The keyframe reached by moving the aggregate c of `slots` (one slot per direction in use)
 * linearly to the point `target` of P* (support `target.support`): directions already held keep
 * their slot, new ones take zero slots, dropped ones go to 0. Needs |supp c ∪ supp c'| ≤ width.
 */
export function segmentKeyframe(slots: readonly Slot[], target: OptimalVertex): Slot[] {
  const next = slots.map((s) => ({ ...s }));
  const held = new Map<number, number>();
  next.forEach((s, j) => {
    if (s.t === 0) return;
    if (held.has(s.direction)) throw new RangeError(`segmentKeyframe: direction ${s.direction} is held by two slots; merge first`);
    held.set(s.direction, j);
  });
  const want = new Map<number, number>(target.support.map((k, j) => [k, target.weights[j]]));
  const free = next.map((s, j) => (s.t === 0 ? j : -1)).filter((j) => j >= 0);
  for (const [k, c] of want) {
    const j = held.get(k);
    if (j !== undefined) next[j] = { direction: k, t: c };
    else {
      const z = free.shift();
      if (z === undefined) throw new RangeError(`segmentKeyframe: |S ∪ S'| exceeds the width ${slots.length}`);
      next[z] = { direction: k, t: c };
    }
  }
  for (const [k, j] of held) if (!want.has(k)) next[j] = { direction: k, t: 0 };
  return next;
}

/**
 * Networks along a piecewise path through `keyframes`: between consecutive keyframes every slot's
 * t moves linearly (s = 0, 1/(samples − 1), …, 1), its direction being that of whichever end has
 * t > 0 (a slot with t > 0 at both ends must keep its direction). √t is continuous, so the path
 * is continuous in weight space (not Lipschitz where t → 0, pitfall 4).
 */
export function pathNetworks(directions: readonly OptimalDirection[], keyframes: readonly Slot[][], samples: number): ReluNetwork[] {
  if (!Number.isInteger(samples) || samples < 2) throw new RangeError(`pathNetworks: samples must be an integer ≥ 2, got ${samples}`);
  if (keyframes.length === 0) return [];
  const nets: ReluNetwork[] = [slotsNetwork(directions, keyframes[0])];
  for (let f = 1; f < keyframes.length; f++) {
    const A = keyframes[f - 1];
    const B = keyframes[f];
    if (A.length !== B.length) throw new RangeError(`pathNetworks: keyframes ${f - 1} and ${f} have widths ${A.length} and ${B.length}`);
    const dirs = A.map((a, j) => {
      const b = B[j];
      if (a.t > 0 && b.t > 0 && a.direction !== b.direction) throw new RangeError(`pathNetworks: slot ${j} changes direction while nonzero (keyframe ${f})`);
      return a.t > 0 ? a.direction : b.direction;
    });
    for (let i = 1; i < samples; i++) {
      const s = i / (samples - 1);
      nets.push(slotsNetwork(directions, A.map((a, j) => ({ direction: dirs[j], t: (1 - s) * a.t + s * B[j].t }))));
    }
  }
  return nets;
}

/**
 * max_k |F(θ_k) − F*|/F* over the networks of a path (the nonconvex objective, docs/science/convex.md §1.1).
 *
 * @param problem - the convex problem
 * @param nets - the networks of a path
 * @param optimum - the optimal value F* (> 0)
 * @returns the largest relative deviation |F(θ_k) − F*|/F* along the networks (0 on an optimal path)
 * @example
 * ```ts
 * import { convexProblem, convexToNetwork, enumeratePatterns, maxObjectiveDeviation, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const net = convexToNetwork(sol.U, sol.V, 2);
 * console.log(maxObjectiveDeviation(problem, [net], sol.primalValue)); // ~1e-16
 * ```
 */
export function maxObjectiveDeviation(problem: ConvexProblem, nets: readonly ReluNetwork[], optimum: number): number {
  let worst = 0;
  for (const net of nets) {
    const F = nonconvexObjective(net, problem.X, problem.y, problem.beta, problem.loss).objective;
    const dev = Math.abs(F - optimum) / Math.abs(optimum);
    worst = Math.max(worst, Number.isFinite(dev) ? dev : Infinity);
  }
  return worst;
}

/** Sorted |α_j|: a permutation-invariant signature (different signatures ⇒ not permutations of each other). */
export function permutationSignature(net: ReluNetwork): Float64Array {
  return Float64Array.from(net.alpha, Math.abs).sort();
}

/**
 * Components of P*_m = {c ∈ P* : |supp c| ≤ m} from its vertices (the optimal set of width m up
 * to permutation): the vertices with |S| ≤ m, joined when |S ∪ S'| ≤ m. `label[i]` is the
 * component of vertex i (−1 when |S_i| > m); `parent[i]` is its predecessor on a BFS tree rooted
 * at the first vertex of each component (−1 for roots), so chains of segments give paths.
 *
 * @param vertices - the vertices of P* (`optimalSet(…).vertices`)
 * @param width - the width m
 * @param root - a vertex to root its component's BFS tree at (default −1: the first vertex of each component)
 * @returns the number of components, each vertex's component label, and BFS parents
 * @example
 * ```ts
 * import { convexProblem, enumeratePatterns, optimalSet, optimalSetComponents, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const set = optimalSet(problem, sol.prediction);
 * if (set.vertices !== null) console.log(optimalSetComponents(set.vertices, 4).count); // components of P*_4
 * ```
 */
export function optimalSetComponents(vertices: readonly OptimalVertex[], width: number, root = -1): { count: number; label: number[]; parent: number[] } {
  const V = vertices.length;
  const label = new Array<number>(V).fill(-1);
  const parent = new Array<number>(V).fill(-1);
  const sets = vertices.map((v) => new Set(v.support));
  const inSet = vertices.map((v) => v.support.length <= width);
  const unionSize = (a: number, b: number): number => {
    let u = sets[a].size;
    for (const k of sets[b]) if (!sets[a].has(k)) u++;
    return u;
  };
  let count = 0;
  const order = root >= 0 ? [root, ...vertices.keys()] : [...vertices.keys()];
  for (const start of order) {
    if (!inSet[start] || label[start] >= 0) continue;
    label[start] = count;
    const queue = [start];
    for (let h = 0; h < queue.length; h++) {
      const a = queue[h];
      for (let b = 0; b < V; b++) {
        if (!inSet[b] || label[b] >= 0 || unionSize(a, b) > width) continue;
        label[b] = count;
        parent[b] = a;
        queue.push(b);
      }
    }
    count++;
  }
  return { count, label, parent };
}

/** One row of the staircase: a claim of Theorem 2 at one width and what was verified. */
export interface StaircaseRow {
  readonly width: number;
  readonly claim: string;
  /** true/false when checked; null when not checked (the reason is in `evidence`). */
  readonly holds: boolean | null;
  readonly evidence: string;
  readonly numbers: Record<string, number>;
}

/** The staircase table and the quantities it is built from. */
export interface ConnectivityStaircase {
  readonly n: number;
  readonly mStar: number;
  readonly MStar: number;
  /** min{m* + M*, n + 1}. */
  readonly connectedFrom: number;
  /** m*, m*+1, M*, M*+1, min{m*+M*, n+1}, deduplicated and sorted. */
  readonly widths: number[];
  readonly vertices: number;
  /** Components of the optimal set up to permutation at each width of `widths`. */
  readonly components: Array<{ width: number; components: number }>;
  readonly rows: StaircaseRow[];
  readonly objectiveTol: number;
}

/** Options of `connectivityStaircase`. */
export interface StaircaseOptions {
  /**
   * A path is optimal when max |F − F*|/F* ≤ this along it. Default 1e-8: vertices reproduce ŷ*
   * to the NNLS residual (≲ 1e-10 relative after an exact solve to gap ≤ 1e-10), and the
   * objective on a segment of P* interpolates the vertices' losses and penalties.
   */
  readonly objectiveTol?: number;
  /** Samples per keyframe move (≥ 2). Default 9. */
  readonly samples?: number;
  /** Vertex fit matrices with σ_min/σ_max above this are independent. Default 1e-8 (as optimalSetVertices). */
  readonly independenceTol?: number;
}

/** What every row of the staircase reads: the vertices, their components per width, the deviation of a path. */
interface StaircaseContext {
  readonly problem: ConvexProblem;
  readonly directions: readonly OptimalDirection[];
  readonly vertices: readonly OptimalVertex[];
  readonly mStar: number;
  readonly MStar: number;
  readonly n: number;
  readonly tol: number;
  readonly samples: number;
  readonly indTol: number;
  /** Index of an m*-vertex. */
  readonly sparsest: number;
  readonly comps: Map<number, ReturnType<typeof optimalSetComponents>>;
  readonly optimum: number;
}

const fmt = (x: number): string => x.toExponential(2);

function deviation(ctx: StaircaseContext, nets: ReluNetwork[]): number {
  return maxObjectiveDeviation(ctx.problem, nets, ctx.optimum);
}

function componentText(ctx: StaircaseContext, w: number): string {
  return `up to permutation the width-${w} optimal set has ${ctx.comps.get(w)!.count} connected component(s) (faces of P* with support ≤ ${w}, joined through shared vertices)`;
}

/** m = m*: finitely many optimal networks up to permutation (the m*-vertex networks). */
function minimalWidthRow(ctx: StaircaseContext): StaircaseRow {
  const { directions, vertices, mStar, tol } = ctx;
  const minimal = vertices.filter((v) => v.support.length === mStar);
  const worst = deviation(ctx, minimal.map((v) => slotsNetwork(directions, vertexSlots(v, mStar))));
  return {
    width: mStar,
    claim: "finitely many optimal networks up to permutation",
    holds: minimal.length > 0 && worst <= tol,
    evidence: `every point of P* with support ≤ m* is a vertex (a dependent support would move along its null direction to a smaller support), so the optimal networks of width m* = ${mStar} are the ${minimal.length} vertex network(s) of support m*, each up to its ${mStar}! orderings; all reach F* (max relative deviation ${fmt(worst)}); ${componentText(ctx, mStar)}`,
    numbers: { networksUpToPermutation: minimal.length, maxObjectiveDeviation: worst, components: ctx.comps.get(mStar)!.count },
  };
}

/** m ≥ m* + 1: a non-singleton component (split the largest neuron of an m*-vertex network). */
function splitRow(ctx: StaircaseContext, w: number): StaircaseRow {
  const { directions, vertices, mStar, tol, samples } = ctx;
  const v = vertices[ctx.sparsest];
  const slots = vertexSlots(v, w);
  const big = v.weights.indexOf(Math.max(...v.weights));
  const nets = pathNetworks(directions, [slots, splitKeyframe(slots, big, mStar)], samples);
  const worst = deviation(ctx, nets);
  const mid = nets[Math.floor((nets.length - 1) / 2)];
  const sigDist = maxAbsDifference(permutationSignature(nets[0]), permutationSignature(mid));
  return {
    width: w,
    claim: "a connected component that is not a singleton",
    holds: worst <= tol && sigDist > 0,
    evidence: `split the largest neuron of an m*-vertex network into two along t ∈ [0, 1] (${nets.length} samples): objective constant to ${fmt(worst)} relative; the midpoint is not a permutation of the start (sorted |α| differ by ${fmt(sigDist)}); ${componentText(ctx, w)}`,
    numbers: { pathSamples: nets.length, maxObjectiveDeviation: worst, signatureDistance: sigDist, components: ctx.comps.get(w)!.count },
  };
}

/** m = M*: a singleton component (an M*-vertex network is isolated). */
function isolatedVertexRow(ctx: StaircaseContext): StaircaseRow {
  const { directions, vertices, MStar, n, tol, indTol } = ctx;
  const idx = vertices.findIndex((v) => v.support.length === MStar);
  const v = vertices[idx];
  const F: Matrix = { rows: n, cols: MStar, data: new Float64Array(n * MStar) };
  v.support.forEach((k, j) => directions[k].fit.forEach((x, r) => { F.data[r * MStar + j] = x; }));
  const sv = svd(F, { vectors: "none" }).values;
  const sigmaMax = sv[0];
  const sigmaMin = sv[sv.length - 1];
  const S = new Set(v.support);
  const inside = vertices.filter((u, i) => i !== idx && u.support.every((k) => S.has(k))).length;
  const separation = minSameSignSeparation(directions);
  const worst = deviation(ctx, [slotsNetwork(directions, vertexSlots(v, MStar))]);
  return {
    width: MStar,
    claim: "a singleton connected component",
    holds: sigmaMin > indTol * sigmaMax && inside === 0 && worst <= tol && separation > 0,
    evidence: `an M*-vertex network (support ${MStar}, no zero neuron): optimal neurons near it lie on its own directions (distinct active directions of one sign are ≥ ${fmt(separation)} apart), so a nearby optimal network has support inside S, and the fit vectors of S are independent (σ_min = ${fmt(sigmaMin)}, σ_min/σ_max = ${fmt(sigmaMin / sigmaMax)}) so its weights are the vertex's; no other vertex has support inside S (${inside} found); objective deviation ${fmt(worst)}; ${componentText(ctx, MStar)}`,
    numbers: {
      sigmaMin, sigmaRatio: sigmaMin / sigmaMax, otherVerticesInside: inside, maxObjectiveDeviation: worst, components: ctx.comps.get(MStar)!.count,
      ...(Number.isFinite(separation) ? { directionSeparation: separation } : {}),
    },
  };
}

/** m ≥ M* + 1: no singleton component (every vertex network with a zero neuron can split). */
function noSingletonRow(ctx: StaircaseContext, w: number): StaircaseRow {
  const { directions, vertices, tol, samples } = ctx;
  let worst = 0;
  let moved = 0;
  for (const v of vertices) {
    const slots = vertexSlots(v, w);
    const nets = pathNetworks(directions, [slots, splitKeyframe(slots, 0, v.support.length)], samples);
    worst = Math.max(worst, deviation(ctx, nets));
    if (maxAbsDifference(permutationSignature(nets[0]), permutationSignature(nets[Math.floor((nets.length - 1) / 2)])) > 0) moved++;
  }
  return {
    width: w,
    claim: "no singleton connected component",
    holds: worst <= tol && moved === vertices.length,
    evidence: `every optimal network of width ${w} can move: two neurons on one direction trade t, a zero neuron takes a split, and ${w} > M* distinct nonzero directions are dependent (not a vertex) so c moves along a null direction. Computed: each of the ${vertices.length} vertex networks plus a zero neuron splits along an optimal path (${moved} moved to a non-permutation; max relative deviation ${fmt(worst)}); ${componentText(ctx, w)}`,
    numbers: { verticesSplit: moved, maxObjectiveDeviation: worst, components: ctx.comps.get(w)!.count },
  };
}

/** The deviation along a transposition of two neurons of the m*-vertex network through a zero neuron (width w > m* ≥ 2). */
function transposition(ctx: StaircaseContext, w: number): { deviation: number; swapped: boolean } {
  const { directions, vertices, mStar, samples } = ctx;
  const base = vertexSlots(vertices[ctx.sparsest], w);
  const k1 = splitKeyframe(base, 0, mStar);
  const k2 = splitKeyframe(k1, 1, 0);
  const k3 = splitKeyframe(k2, mStar, 1);
  return {
    deviation: deviation(ctx, pathNetworks(directions, [base, k1, k2, k3], samples)),
    swapped: k3[0].direction === base[1].direction && k3[1].direction === base[0].direction && k3[mStar].t === 0,
  };
}

/** m ≥ min{m* + M*, n + 1}: connected (explicit paths from every vertex network to a fixed m*-vertex network). */
function connectedRow(ctx: StaircaseContext, w: number): StaircaseRow {
  const { directions, vertices, mStar, tol, samples, sparsest } = ctx;
  const c = ctx.comps.get(w)!;
  let worst = 0;
  let joined = 0;
  let longest = 0;
  for (let i = 0; i < vertices.length; i++) {
    if (c.label[i] !== c.label[sparsest]) continue;
    const chain = [i];
    while (c.parent[chain[chain.length - 1]] >= 0) chain.push(c.parent[chain[chain.length - 1]]);
    const keys = [vertexSlots(vertices[i], w)];
    for (const k of chain.slice(1)) keys.push(segmentKeyframe(keys[keys.length - 1], vertices[k]));
    worst = Math.max(worst, deviation(ctx, pathNetworks(directions, keys, samples)));
    longest = Math.max(longest, chain.length - 1);
    joined++;
  }
  const swap = mStar >= 2 && w > mStar ? transposition(ctx, w) : { deviation: 0, swapped: false };
  const permutationsOk = mStar < 2 || (swap.swapped && swap.deviation <= tol);
  return {
    width: w,
    claim: "the optimal set is connected",
    holds: c.count === 1 && joined === vertices.length && worst <= tol && permutationsOk,
    evidence: `optimal paths from each of the ${joined}/${vertices.length} vertex networks to a fixed m*-vertex network, along segments of P* between vertices with |S ∪ S'| ≤ ${w} (one neuron per direction, zero neurons for the rest; at most ${longest} segment(s)), objective constant to ${fmt(worst)} relative; a transposition of two neurons through a zero neuron ${mStar >= 2 ? `deviates ${fmt(swap.deviation)}` : "is not needed (m* < 2)"}, so permuted copies are joined as well; every other optimal network reaches a vertex network inside its own support (merge neurons of one direction, then move along null directions); ${componentText(ctx, w)}`,
    numbers: { pathsVerified: joined, maxObjectiveDeviation: worst, longestChain: longest, transpositionDeviation: swap.deviation, components: c.count },
  };
}

/**
 * The staircase of the zero optimum (m* = M* = 0, ŷ* = 0, F* = L(0)): ŷ* is unique (L strictly
 * convex), so an optimal network has f = 0 on the data and penalty F* − L(0) = 0, i.e. θ = 0. At
 * every width the optimal set is the single point θ = 0: finite, a singleton, connected. Theorem
 * 2's rows for m ≥ m* + 1 (a non-singleton component) presume m* ≥ 1 — a split of the zero network
 * stays 0 — and are replaced by this statement, checked by the objective of the zero network.
 */
function zeroOptimumStaircase(problem: ConvexProblem, optimum: number, tol: number): ConnectivityStaircase {
  const n = problem.X.rows;
  const D = problem.X.cols;
  const worst = maxObjectiveDeviation(problem, [zeroNetwork(D), { W: new Float64Array(D), alpha: new Float64Array(1), m: 1, D }], optimum);
  const why = `m* = 0: ŷ* = 0 is unique, so an optimal network has f = 0 on the data and penalty F* − L(0) = 0, i.e. θ = 0; the zero network reaches F* (relative deviation ${fmt(worst)})`;
  const holds = worst <= tol;
  const numbers = { networksUpToPermutation: 1, maxObjectiveDeviation: worst, components: 1 };
  const rows: StaircaseRow[] = [
    { width: 0, claim: "finitely many optimal networks up to permutation", holds, evidence: `${why}: one network (no neurons)`, numbers },
    { width: 0, claim: "a singleton connected component", holds, evidence: `${why}: the optimal set is {θ = 0}`, numbers },
    { width: 0, claim: "the optimal set is connected", holds, evidence: `${why}: the optimal set is {θ = 0}`, numbers },
    {
      width: 1, claim: "the optimal set is the single point θ = 0 at every width m ≥ 1", holds,
      evidence: `${why}; Theorem 2's rows for m ≥ m* + 1 presume m* ≥ 1 (a split of the zero network stays 0)`, numbers,
    },
  ];
  return {
    n, mStar: 0, MStar: 0, connectedFrom: 0, widths: [0, 1], vertices: 1,
    components: [{ width: 0, components: 1 }, { width: 1, components: 1 }], rows, objectiveTol: tol,
  };
}

/**
 * The connectivity staircase (Theorem 2) on `set` (optimalSet of an exact solve with optimal
 * value `optimum`): one row per claim at m*, m*+1, M*, M*+1 and min{m*+M*, n+1}, each with the
 * computed evidence (counts, objective deviations along explicit optimal paths, singular values)
 * and, for every width, the number of components of the optimal set up to permutation. For the
 * zero optimum (m* = 0) the rows of zeroOptimumStaircase.
 *
 * @param problem - the convex problem (exact patterns)
 * @param set - `optimalSet` of an exact, high-accuracy solve
 * @param optimum - the optimal value F*
 * @param opts - objective tolerance, path samples, independence tolerance
 * @returns m*, M*, the width from which P*_m is connected, the component counts and one row per claim with its evidence
 * @example
 * ```ts
 * import { connectivityStaircase, convexProblem, enumeratePatterns, optimalSet, solveRelu, withBias } from "splitscape";
 * const x = [-1, -0.7, -0.35, -0.1, 0.2, 0.45, 0.8, 1];
 * const X = withBias({ rows: x.length, cols: 1, data: Float64Array.from(x) });
 * const problem = convexProblem(X, Float64Array.from(x, (t) => Math.abs(t) - 0.4), 0.05, "square", enumeratePatterns(X));
 * const sol = solveRelu(problem, { tol: 1e-10 });
 * const stairs = connectivityStaircase(problem, optimalSet(problem, sol.prediction), sol.primalValue);
 * for (const row of stairs.rows) console.log(row.width, row.claim, row.holds);
 * ```
 */
export function connectivityStaircase(problem: ConvexProblem, set: OptimalSet, optimum: number, opts: StaircaseOptions = {}): ConnectivityStaircase {
  if (set.vertices === null || set.mStar === null || set.MStar === null) {
    throw new RangeError(`connectivityStaircase: the vertices of P* are not available (${set.reason ?? "no vertices"})`);
  }
  if (!(Number.isFinite(optimum) && optimum > 0)) throw new RangeError(`connectivityStaircase: optimum must be finite and positive, got ${optimum}`);
  const tol = opts.objectiveTol ?? 1e-8;
  if (set.mStar === 0) return zeroOptimumStaircase(problem, optimum, tol);
  const { directions, vertices, mStar, MStar } = set;
  const n = problem.X.rows;
  const connectedFrom = Math.min(mStar + MStar, n + 1);
  const widths = [...new Set([mStar, mStar + 1, MStar, MStar + 1, connectedFrom])].sort((a, b) => a - b);
  const sparsest = vertices.findIndex((v) => v.support.length === mStar);
  const comps = new Map(widths.map((w) => [w, optimalSetComponents(vertices, w, sparsest)]));
  const ctx: StaircaseContext = {
    problem, directions, vertices, mStar, MStar, n, tol, samples: opts.samples ?? 9, indTol: opts.independenceTol ?? 1e-8,
    sparsest, comps, optimum,
  };
  const rows: StaircaseRow[] = [
    minimalWidthRow(ctx),
    ...widths.filter((x) => x >= mStar + 1).map((w) => splitRow(ctx, w)),
    isolatedVertexRow(ctx),
    ...widths.filter((x) => x >= MStar + 1).map((w) => noSingletonRow(ctx, w)),
    connectedRow(ctx, connectedFrom),
  ];
  rows.sort((a, b) => a.width - b.width);
  const components = widths.map((w) => ({ width: w, components: comps.get(w)!.count }));
  return { n, mStar, MStar, connectedFrom, widths, vertices: vertices.length, components, rows, objectiveTol: tol };
}

function maxAbsDifference(a: Float64Array, b: Float64Array): number {
  let m = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The smallest distance between two distinct active unit directions of the same sign (∞ if none). */
function minSameSignSeparation(directions: readonly OptimalDirection[]): number {
  let best = Infinity;
  for (let a = 0; a < directions.length; a++) {
    for (let b = a + 1; b < directions.length; b++) {
      if (directions[a].sign !== directions[b].sign) continue;
      best = Math.min(best, nrm2(directions[a].direction.map((v, q) => v - directions[b].direction[q])));
    }
  }
  return best;
}
