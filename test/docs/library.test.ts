/**
 * docs/library.md: every ```js block is run as an ES module that imports the package by its
 * name ("splitscape", "splitscape/margin", …, resolved through package.json "exports" to the
 * built dist/, as an installed package would be), and must print exactly the ```text block
 * that follows it; so must the js block of the README's "Using the library" section. The outputs are deterministic (seeded data and initialisation, float64
 * code paths that are bit-reproducible on one platform), so any drift in a number is a change
 * of behaviour that the guide has to show.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = new URL("../..", import.meta.url).pathname;
const guide = readFileSync(join(repo, "docs", "library.md"), "utf8");

/** The (code, expected output) pairs: each ```js block and the ```text block after it. */
function examples(markdown: string): Array<{ title: string; code: string; output: string }> {
  const re = /^## (.+)$(?:(?!^## )[\s\S])*?^```js\n([\s\S]*?)^```$[\s\S]*?^```text\n([\s\S]*?)^```$/gm;
  return [...markdown.matchAll(re)].map((m) => ({ title: m[1], code: m[2], output: m[3] }));
}

describe.skipIf(!existsSync(join(repo, "dist", "index.js")))("docs/library.md examples", () => {
  // Inside the repository (a git-ignored folder), so that "splitscape" resolves to this package.
  mkdirSync(join(repo, ".probe"), { recursive: true });
  const dir = mkdtempSync(join(repo, ".probe", "library-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const found = examples(guide);

  it("has the five worked examples", () => {
    expect(found.map((e) => e.title)).toEqual([
      "1. Train a network and certify it",
      "2. Split a neuron and check the embedding",
      "3. Solve and certify a convex program",
      "4. Classify the split points of a plateau",
      "5. Run an experiment from code",
    ]);
  });

  // The README's "Using the library" section shows example 1 with its output.
  const readme = examples(readFileSync(join(repo, "README.md"), "utf8")).filter((e) => e.title === "Using the library");
  it("the README's library example is there", () => expect(readme).toHaveLength(1));

  for (const [i, ex] of [...found, ...readme].entries()) {
    it(`example ${ex.title} prints the output shown`, () => {
      const file = join(dir, `example-${i + 1}.mjs`);
      writeFileSync(file, ex.code);
      const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(ex.output);
    });
  }
});
