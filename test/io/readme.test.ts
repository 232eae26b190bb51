// The splitscape half of the README's "From PyTorch" round trip runs as written: every
// `$ npx splitscape …` line of that section runs in-process (outputs into a temporary folder,
// examples/ from the repository), exits 0, and prints the first line the README shows.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

const root = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "splitscape-readme-torch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readme = readFileSync(join(root, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("## From PyTorch"), readme.indexOf("\n## ", readme.indexOf("## From PyTorch") + 3));
const lines = section.split("\n");

/** Each command with the first output line the README shows under it. */
const commands = lines
  .map((line, i) => ({ line, first: lines[i + 1] ?? "" }))
  .filter(({ line }) => line.startsWith("$ npx splitscape "))
  .map(({ line, first }) => ({
    args: line.slice("$ npx splitscape ".length).trim().match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"(.*)"$/, "$1")),
    first,
  }));

describe("README: From PyTorch", () => {
  it("has the round trip", () => {
    expect(commands.map((c) => c.args[0])).toEqual(expect.arrayContaining(["convex", "split", "export", "data"]));
  });
  for (const { args, first } of commands) {
    it(args.join(" "), async () => {
      const resolved = args.map((a) => (a.startsWith("examples/") ? join(root, a) : /\.(safetensors|npz|json)$/.test(a) ? join(dir, a) : a));
      const r = await runCli(...resolved);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      expect(r.out.split("\n")[0].replaceAll(dir + "/", "").replaceAll(root + "/", "")).toBe(first);
    });
  }
});
