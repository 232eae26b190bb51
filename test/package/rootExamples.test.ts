/**
 * Every @example of the root's functions runs: test/package/rootDocs.test.ts type-checks them,
 * this runs them, one after another in one Node process (tsx), each as its own module importing
 * "splitscape" (resolved to src/index.ts), in a scratch working folder whose `examples/` is the
 * repository's (the examples read examples/iris.npz and the like, and write their own files next
 * to themselves). An example that throws or rejects fails the test with its first error line.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { exampleCode, repo, rootFunctions } from "../helpers/rootDocs.js";

/** The runner: imports each example module in order and writes {name, error?, ms} per example to results.json. */
const RUNNER = `
import { writeFileSync } from "node:fs";
const names = JSON.parse(process.argv[2]);
const results = [];
for (const name of names) {
  const start = performance.now();
  let error;
  try { await import(new URL(name, import.meta.url).href); } catch (e) { error = String(e instanceof Error ? e.message : e).split("\\n")[0]; }
  results.push({ name, error, ms: performance.now() - start });
}
writeFileSync(process.argv[3], JSON.stringify(results));
process.exit(0); // an example may leave a worker pool or a timer behind
`;

describe("the root's @examples run", () => {
  // Inside the repository (a git-ignored folder) so that bare imports such as "zod" resolve.
  mkdirSync(join(repo, ".probe"), { recursive: true });
  const dir = mkdtempSync(join(repo, ".probe", "run-examples-"));
  const cwd = mkdtempSync(join(tmpdir(), "splitscape-examples-"));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });

  it("every example runs to its end without an error", () => {
    const names: string[] = [];
    for (const f of rootFunctions()) {
      f.examples.forEach((text, i) => {
        const code = exampleCode(text);
        if (code === null) return; // rootDocs.test.ts reports an example without a ```ts block
        const name = `${f.name}-${i + 1}.mts`;
        writeFileSync(join(dir, name), `${code.replaceAll('from "splitscape"', `from ${JSON.stringify(join(repo, "src", "index.ts"))}`)}\nexport {};\n`);
        names.push(name);
      });
    }
    expect(names.length).toBeGreaterThan(20);
    symlinkSync(join(repo, "examples"), join(cwd, "examples"));
    writeFileSync(join(dir, "run.mts"), RUNNER);
    const resultsFile = join(cwd, "results.json");
    const child = spawnSync(process.execPath, ["--import", pathToFileURL(join(repo, "node_modules", "tsx", "dist", "loader.mjs")).href, join(dir, "run.mts"), JSON.stringify(names), resultsFile], {
      cwd, encoding: "utf8", timeout: 420_000, maxBuffer: 64 * 1024 * 1024,
    });
    expect(child.status, child.stderr.slice(-2000)).toBe(0);
    const results = JSON.parse(readFileSync(resultsFile, "utf8")) as { name: string; error?: string; ms: number }[];
    expect(results.map((r) => r.name)).toEqual(names);
    expect(results.filter((r) => r.error !== undefined).map((r) => `${r.name}: ${r.error}`)).toEqual([]);
  }, 480_000);
});
