// Stand-in for the HiGHS LP solver (an Emscripten wasm loaded from a URL): the lab's views do
// not solve LPs (the uniqueness ranges of `splitscape convex` stay in the CLI).
export default function highsLoader(): Promise<never> {
  return Promise.reject(new Error("the HiGHS LP solver is not bundled in the lab; use `splitscape convex` for uniqueness ranges"));
}
