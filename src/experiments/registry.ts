import { FAMILY_IDS, isFamilyId, type FamilyId } from "./families.js";
import type { ExperimentDefinition, Summary } from "./types.js";

/**
 * The registry of experiment kinds. Each family registers its kinds with one
 * `registerExperiment` call per kind (in src/experiments/kinds/<family>.ts, imported by
 * kinds/index.ts); the spec loader, `splitscape run`, sweeps and the tour look them up here.
 */

const registry = new Map<string, ExperimentDefinition>();

const KIND_PATTERN = /^[a-z][a-z0-9-]*$/;

/**
 * Register an experiment kind. Throws if the kind is malformed or already registered, or if
 * the family is not one of FAMILIES. A registered kind runs like a built-in one: runExperiment,
 * spec files, `runToFolder`, sweeps.
 *
 * @param def - the definition: kind (lowercase, digits, dashes), family, title, zod schema of the params (with defaults), run (returns summary, verdicts, series) and figures
 * @example
 * ```ts
 * import { z } from "zod";
 * import { atMost, registerExperiment, runExperiment, unregisterExperiment } from "splitscape";
 * registerExperiment({
 *   kind: "my-square",
 *   family: "foundation",
 *   title: "x² stays small",
 *   schema: z.strictObject({ x: z.number().default(2) }),
 *   run: async (spec) => {
 *     const y = spec.params.x ** 2;
 *     return { summary: { y }, verdicts: [atMost("x² ≤ 10", y, 10)], series: {} };
 *   },
 *   figures: () => [],
 * });
 * console.log((await runExperiment("my-square", { x: 3 })).summary);
 * unregisterExperiment("my-square");
 * ```
 */
export function registerExperiment<P, S extends Summary = Summary>(def: ExperimentDefinition<P, S>): void {
  if (!KIND_PATTERN.test(def.kind)) throw new Error(`registerExperiment: kind ${JSON.stringify(def.kind)} must match ${KIND_PATTERN}`);
  if (!isFamilyId(def.family)) throw new Error(`registerExperiment: family ${JSON.stringify(def.family)} is not one of ${FAMILY_IDS.join(", ")}`);
  if (registry.has(def.kind)) throw new Error(`registerExperiment: kind ${def.kind} is already registered`);
  // Stored with its params type erased: the schema is what ties spec params to P at run time.
  registry.set(def.kind, def as unknown as ExperimentDefinition);
}

/**
 * Remove a kind (tests register throw-away kinds).
 *
 * @param kind - the kind to remove
 * @returns whether it was registered
 * @example
 * ```ts
 * import { unregisterExperiment } from "splitscape";
 * console.log(unregisterExperiment("no-such-kind")); // false
 * ```
 */
export function unregisterExperiment(kind: string): boolean {
  return registry.delete(kind);
}

/**
 * The definition of `kind`, or undefined.
 *
 * @param kind - an experiment kind, e.g. "linalg-check"
 * @returns its registered definition (title, family, description, schema, run, figures), or undefined when no such kind is registered
 * @example
 * ```ts
 * import { getExperiment } from "splitscape";
 * console.log(getExperiment("linalg-check")?.title);
 * ```
 */
export function getExperiment(kind: string): ExperimentDefinition | undefined {
  return registry.get(kind);
}

/**
 * All registered kinds, sorted (what `splitscape run --list` lists).
 *
 * @returns the kind names in alphabetical order
 * @example
 * ```ts
 * import { experimentKinds } from "splitscape";
 * console.log(experimentKinds().length, experimentKinds().includes("linalg-check"));
 * ```
 */
export function experimentKinds(): string[] {
  return [...registry.keys()].sort();
}

/**
 * All registered definitions, in registration order.
 *
 * @returns the definitions (built-in kinds family by family, then any registered later)
 * @example
 * ```ts
 * import { listExperiments } from "splitscape";
 * for (const d of listExperiments()) console.log(`${d.family}/${d.kind}: ${d.title}`);
 * ```
 */
export function listExperiments(): ExperimentDefinition[] {
  return [...registry.values()];
}

/**
 * The registered kinds of one family, in registration order.
 *
 * @param family - a family id: "foundation", "margin", "ncf", "convex" or "plateau"
 * @returns that family's definitions (empty when none is registered)
 * @example
 * ```ts
 * import { experimentsOfFamily } from "splitscape";
 * console.log(experimentsOfFamily("convex").map((d) => d.kind));
 * ```
 */
export function experimentsOfFamily(family: FamilyId): ExperimentDefinition[] {
  return listExperiments().filter((d) => d.family === family);
}

/** The definition of a validated spec's kind (throws if the kind vanished from the registry: a bug). */
export function definitionOf(spec: { kind: string }): ExperimentDefinition {
  const def = registry.get(spec.kind);
  if (!def) throw new Error(`experiment kind ${spec.kind} is not registered`);
  return def;
}
