import { blobs } from "./generators/blobs.js";
import { circles } from "./generators/circles.js";
import { fashionMnist } from "./generators/fashion.js";
import { iris } from "./generators/iris.js";
import { mnist } from "./generators/mnist.js";
import { moons } from "./generators/moons.js";
import { sinData } from "./generators/sin.js";
import { sphere } from "./generators/sphere.js";
import { spirals } from "./generators/spirals.js";
import { teacher } from "./generators/teacher.js";
import type { GeneratorSpec } from "./generators/types.js";
import { xor } from "./generators/xor.js";

/** Every built-in generator, in listing order. */
export const GENERATORS: readonly GeneratorSpec[] = [blobs, xor, circles, moons, spirals, sphere, teacher, sinData, mnist, fashionMnist, iris];

/**
 * The registry entry of `name`, or undefined.
 *
 * @param name - the generator name, e.g. "moons" (no `builtin:` prefix, no parameters)
 * @returns its registry entry (parameters, generate, teacher), or undefined
 * @example
 * ```ts
 * import { findGenerator } from "splitscape";
 * console.log(findGenerator("moons")?.params.map((p) => p.name)); // its parameter keys
 * ```
 */
export function findGenerator(name: string): GeneratorSpec | undefined {
  return GENERATORS.find((g) => g.name === name);
}
