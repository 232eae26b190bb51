// The README's convex tour must stay runnable: every `$ npx splitscape convex …` line of its
// console blocks runs in-process on the files in examples/ and exits 0 (the figure goes to a
// temporary folder). The outputs themselves are checked by test/cli/convex.test.ts.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli as run } from "../helpers/cli.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "splitscape-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const commands = readFileSync(join(root, "README.md"), "utf8")
  .split("## From PyTorch")[0] // that section's commands run in test/io/readme.test.ts
  .split("\n")
  .filter((line) => line.startsWith("$ npx splitscape convex "))
  .map((line) => line.slice("$ npx splitscape ".length).replace(/\s+#.*$/, "").trim().split(/\s+/));

describe("README convex commands", () => {
  it("are there", () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
  });
  for (const args of commands) {
    it(args.join(" "), async () => {
      const resolved = args.map((a, i) =>
        a.startsWith("examples/") ? join(root, a) : args[i - 1] === "--figure" ? join(dir, a) : a);
      const r = await run(...resolved);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
    });
  }
});
