/**
 * The result families, in tour order. The list is fixed here (not derived from what is
 * registered) so that the tour can say which families are not built yet instead of silently
 * leaving them out.
 */
export const FAMILIES = [
  { id: "foundation", title: "Foundation: float64 kernels", summary: "GEMM (wasm SIMD vs reference), symmetric eigensolver, Cholesky" },
  { id: "margin", title: "Max-margin KKT points and neuron splitting", summary: "gradient flow to KKT points of the max-margin problem; splitting preserves KKT points" },
  { id: "ncf", title: "Neural correlation function (small initialisation)", summary: "KKT points of the constrained NCF and early alignment" },
  { id: "convex", title: "Convex reformulation of two-layer ReLU networks", summary: "optimum, dual certificate, recovered networks, minimal width" },
  { id: "plateau", title: "Plateaus created by splitting", summary: "stationarity, inner Hessian, plateau classification" },
] as const;

/** A family id: "foundation" | "margin" | "ncf" | "convex" | "plateau". */
export type FamilyId = (typeof FAMILIES)[number]["id"];

/** The ids of all families, in tour order. */
export const FAMILY_IDS: readonly FamilyId[] = FAMILIES.map((f) => f.id);

/**
 * True if `s` is a family id (one of FAMILY_IDS: the tour's sections).
 *
 * @param s - any string, e.g. a command-line argument
 * @returns true when `s` is "foundation", "margin", "ncf", "convex" or "plateau" (narrowing it to FamilyId)
 * @example
 * ```ts
 * import { experimentsOfFamily, isFamilyId } from "splitscape";
 * const arg = "margin";
 * if (isFamilyId(arg)) console.log(experimentsOfFamily(arg).map((d) => d.kind));
 * ```
 */
export function isFamilyId(s: string): s is FamilyId {
  return (FAMILY_IDS as readonly string[]).includes(s);
}
