/**
 * The doc comments of the functions exported from the root ("splitscape", src/index.ts), read
 * through the TypeScript compiler API as TypeDoc reads them: a function is documented when its
 * comment has a `@param` for every parameter (by name), `@returns` (unless it returns nothing)
 * and at least one `@example`. Every example's ```ts block is type-checked against the package
 * (imports of "splitscape" resolve to src/index.ts), so an example cannot drift from the API;
 * rootExamples.test.ts runs them. Every root function is documented: a new one without the tags
 * fails here (or leaves the root if it is plumbing: see the layer's index.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";
import { exampleCompilerOptions as options, repo, rootFunctions } from "../helpers/rootDocs.js";

describe("doc comments of the root's functions", () => {
  const all = rootFunctions();

  it("every function has @param for each parameter, @returns and an @example", () => {
    const lacking = all.filter((f) => f.missing.length > 0).map((f) => `${f.name}: ${f.missing.join(", ")}`);
    expect(lacking).toEqual([]);
    expect(all.length).toBeGreaterThan(300);
  });

  // Inside the repository (a git-ignored folder) so that node_modules and the paths mapping resolve.
  mkdirSync(join(repo, ".probe"), { recursive: true });
  const dir = mkdtempSync(join(repo, ".probe", "examples-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("every @example is a ```ts block that type-checks against the package", () => {
    const files: string[] = [];
    for (const f of all) {
      f.examples.forEach((text, i) => {
        const m = /```ts\n([\s\S]*?)```/.exec(text);
        expect(m, `${f.name}: @example ${i + 1} has no \`\`\`ts block`).not.toBeNull();
        const file = join(dir, `${f.name}-${i + 1}.mts`);
        writeFileSync(file, `${m![1]}\nexport {};\n`);
        files.push(file);
      });
    }
    expect(files.length).toBeGreaterThan(20);
    const program = ts.createProgram(files, options);
    const errors = ts.getPreEmitDiagnostics(program).filter((d) => d.file !== undefined && d.file.fileName.startsWith(dir));
    const text = errors.map((d) => `${d.file!.fileName.slice(dir.length + 1)}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
    expect(text).toEqual([]);
  }, 240_000);
});
