/**
 * The CLI imports only the command it runs (src/cli/main.ts COMMANDS): the placeholders'
 * help lines must equal the real commands' (so `--help` reads the same lazily), and
 * `--version`, `--help` and the library's entries must load no layer / compile no wasm.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram, commandOf, COMMANDS } from "../../src/cli/main.js";

const repo = new URL("../..", import.meta.url).pathname;

describe("lazy command loading", () => {
  it("the top-level help is the same with placeholders as with every command loaded", async () => {
    const eager = await buildProgram();
    const lazy = await buildProgram(new Set());
    expect(lazy.helpInformation()).toBe(eager.helpInformation());
    expect(eager.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name));
  });

  it("a command loaded alone has the same help as in the full program", async () => {
    const full = await buildProgram();
    for (const name of ["data", "kkt", "run"]) {
      const alone = await buildProgram(new Set([name]));
      const help = (p: typeof full) => p.commands.find((c) => c.name() === name)!.helpInformation();
      expect(help(alone)).toBe(help(full));
    }
  });

  it("commandOf finds the command after the global options, and the subject of `help`", () => {
    expect(commandOf(["node", "splitscape", "data", "info", "x.json"])).toBe("data");
    expect(commandOf(["node", "splitscape", "--max-memory", "8G", "kkt"])).toBe("kkt");
    expect(commandOf(["node", "splitscape", "--max-memory=8G", "eval"])).toBe("eval");
    expect(commandOf(["node", "splitscape", "help", "slice"])).toBe("slice");
    expect(commandOf(["node", "splitscape", "--version"])).toBeUndefined();
    expect(commandOf(["node", "splitscape"])).toBeUndefined();
  });
});

describe.skipIf(!existsSync(join(repo, "dist/index.js")))("nothing heavy at start-up (built dist/)", () => {
  /** Modules loaded (file: URLs under dist/ and node_modules/) and wasm compiles while running `args`. */
  function loads(args: string[]): { files: string[]; wasm: number } {
    const res = spawnSync(process.execPath, ["--import", join(repo, "test/helpers/loadTrace.mjs"), ...args], {
      cwd: repo, encoding: "utf8", stdio: ["ignore", "ignore", "pipe"],
    });
    const lines = res.stderr.split("\n");
    const urls = lines.filter((l) => l.startsWith("LOAD ")).map((l) => l.slice(5));
    const wasmLine = lines.find((l) => l.startsWith("WASM "));
    if (res.status !== 0 || wasmLine === undefined) throw new Error(`node ${args.join(" ")} failed: ${res.stderr}`);
    const got = { files: urls, wasm: Number(wasmLine.slice(5)) };
    return { files: got.files.filter((f) => f.startsWith("file:")).map((f) => f.slice(`file://${repo}`.length)), wasm: got.wasm };
  }

  it("`splitscape --version` and `--help` load commander and the CLI shell only", () => {
    for (const flag of ["--version", "--help"]) {
      const { files, wasm } = loads(["bin/splitscape.js", flag]);
      expect(wasm).toBe(0);
      const layers = files.filter((f) => f.startsWith("dist/") && !f.startsWith("dist/cli/") && !f.startsWith("dist/common/") && f !== "dist/version.js");
      expect(layers, flag).toEqual([]);
      expect(files.filter((f) => f.startsWith("node_modules/") && !f.startsWith("node_modules/commander/")), flag).toEqual([]);
    }
  });

  it("importing the root entry compiles no wasm and loads no figure renderer or LP solver", () => {
    const { files, wasm } = loads(["--input-type=module", "-e", `await import(${JSON.stringify(join(repo, "dist/index.js"))})`]);
    expect(wasm).toBe(0);
    expect(files.some((f) => f === "dist/index.js")).toBe(true);
    expect(files.filter((f) => /node_modules\/(vega|vega-lite|@resvg|highs)\//.test(f))).toEqual([]);
  });
});
