import type { Reproduction } from "./types.js";

/**
 * The registry of reproductions. Each reproduction lives in its own file under reproductions/
 * and registers itself with one `registerReproduction` call; reproductions/index.ts imports
 * them all. `splitscape reproduce --list` and `splitscape reproduce ID` look them up here.
 */

const registry = new Map<string, Reproduction>();

/** `paper/experiment`: lowercase letters, digits and dashes on both sides of one slash. */
export const REPRODUCTION_ID = /^[a-z][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/;

/** Register a reproduction; throws if its id is malformed or taken. */
export function registerReproduction(r: Reproduction): void {
  if (!REPRODUCTION_ID.test(r.id)) throw new Error(`registerReproduction: id ${JSON.stringify(r.id)} must match ${REPRODUCTION_ID}`);
  if (registry.has(r.id)) throw new Error(`registerReproduction: ${r.id} is already registered`);
  registry.set(r.id, r);
}

/** The reproduction `id`, or undefined. */
export function getReproduction(id: string): Reproduction | undefined {
  return registry.get(id);
}

/** Every registered reproduction, sorted by id. */
export function listReproductions(): Reproduction[] {
  return [...registry.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
