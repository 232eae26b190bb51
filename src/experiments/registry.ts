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
 * the family is not one of FAMILIES.
 */
export function registerExperiment<P, S extends Summary = Summary>(def: ExperimentDefinition<P, S>): void {
  if (!KIND_PATTERN.test(def.kind)) throw new Error(`registerExperiment: kind ${JSON.stringify(def.kind)} must match ${KIND_PATTERN}`);
  if (!isFamilyId(def.family)) throw new Error(`registerExperiment: family ${JSON.stringify(def.family)} is not one of ${FAMILY_IDS.join(", ")}`);
  if (registry.has(def.kind)) throw new Error(`registerExperiment: kind ${def.kind} is already registered`);
  // Stored with its params type erased: the schema is what ties spec params to P at run time.
  registry.set(def.kind, def as unknown as ExperimentDefinition);
}

/** Remove a kind (tests register throw-away kinds). Returns whether it was registered. */
export function unregisterExperiment(kind: string): boolean {
  return registry.delete(kind);
}

/** The definition of `kind`, or undefined. */
export function getExperiment(kind: string): ExperimentDefinition | undefined {
  return registry.get(kind);
}

/** All registered kinds, sorted. */
export function experimentKinds(): string[] {
  return [...registry.keys()].sort();
}

/** All registered definitions, in registration order. */
export function listExperiments(): ExperimentDefinition[] {
  return [...registry.values()];
}

/** The registered kinds of one family, in registration order. */
export function experimentsOfFamily(family: FamilyId): ExperimentDefinition[] {
  return listExperiments().filter((d) => d.family === family);
}

/** The definition of a validated spec's kind (throws if the kind vanished from the registry: a bug). */
export function definitionOf(spec: { kind: string }): ExperimentDefinition {
  const def = registry.get(spec.kind);
  if (!def) throw new Error(`experiment kind ${spec.kind} is not registered`);
  return def;
}
