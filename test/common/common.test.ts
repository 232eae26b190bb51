import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { InputError, memoryBudget, parseByteSize, setMemoryBudget } from "../../src/common/index.js";
import { checkMemory, checkSweepCells, formatBytes, trainingBytes } from "../../src/common/limits.js";
import { readTextInput, stripBom } from "../../src/common/textInput.js";
import { checkOutputFile, sameFile } from "../../src/common/outputPath.js";
import { writeFileAtomic } from "../../src/common/atomic.js";
import { writeFailureCause } from "../../src/common/fsErrors.js";

const dir = mkdtempSync(join(tmpdir(), "splitscape-common-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => setMemoryBudget(undefined));

describe("limits", () => {
  it("parses sizes in powers of 1024 and refuses anything else", () => {
    expect(parseByteSize("8G", "x")).toBe(8 * 2 ** 30);
    expect(parseByteSize("512M", "x")).toBe(512 * 2 ** 20);
    expect(parseByteSize("1.5GiB", "x")).toBe(1.5 * 2 ** 30);
    expect(parseByteSize("2000000000", "x")).toBe(2e9);
    expect(parseByteSize("4k", "x")).toBe(4096);
    for (const bad of ["", "-1", "0", "lots", "8X", "1e400"]) expect(() => parseByteSize(bad, "--max-memory")).toThrow(InputError);
  });
  it("formats byte counts", () => {
    expect(formatBytes(10944)).toBe("10.7 KB");
    expect(formatBytes(4 * 2 ** 30)).toBe("4.00 GB");
    expect(formatBytes(512)).toBe("512 B");
  });
  it("the budget comes from --max-memory, then SPLITSCAPE_MAX_MEMORY, then the default", () => {
    const saved = process.env.SPLITSCAPE_MAX_MEMORY;
    try {
      process.env.SPLITSCAPE_MAX_MEMORY = "1M";
      expect(memoryBudget()).toEqual({ bytes: 2 ** 20, source: "SPLITSCAPE_MAX_MEMORY" });
      setMemoryBudget(2048);
      expect(memoryBudget()).toEqual({ bytes: 2048, source: "--max-memory" });
      expect(() => checkMemory("--x", "a thing", 4096, "formula")).toThrow(/--x: a thing needs about 4\.00 KB \(formula\), more than the memory limit \(--max-memory\) of 2\.00 KB; raise it with --max-memory SIZE/);
      expect(() => checkMemory("--x", "a thing", 2048, "formula")).not.toThrow();
      delete process.env.SPLITSCAPE_MAX_MEMORY;
      setMemoryBudget(undefined);
      expect(memoryBudget().source).toBe("default");
    } finally {
      if (saved === undefined) delete process.env.SPLITSCAPE_MAX_MEMORY;
      else process.env.SPLITSCAPE_MAX_MEMORY = saved;
    }
  });
  it("the training estimate is 8·(32p + 4n_b·H + 12S) and sweeps stop at the cell limit", () => {
    expect(trainingBytes(10, 3, 5, 7)).toBe(8 * (320 + 60 + 84));
    expect(() => checkSweepCells("s.yaml", 1000)).not.toThrow();
    expect(() => checkSweepCells("s.yaml", 1001)).toThrow(/s\.yaml: grid: the grid has 1,001 cells, more than the limit of 1,000 .*--max-cells 1001/);
    expect(() => checkSweepCells("s.yaml", 1001, 2000)).not.toThrow();
  });
});

describe("files", () => {
  it("reads text without a byte-order mark; says what is wrong with a path", () => {
    const p = join(dir, "bom.json");
    writeFileSync(p, "\uFEFF{}");
    expect(readTextInput(p, { what: "a file" })).toBe("{}");
    expect(stripBom("x")).toBe("x");
    expect(() => readTextInput("", { what: "a model file", option: "--model" })).toThrow("--model: empty path, expected a model file");
    expect(() => readTextInput(dir, { what: "a model file" })).toThrow(/is a folder, expected a model file/);
    expect(() => readTextInput(join(dir, "none.json"), { what: "a model file" })).toThrow(/none\.json: no such file, expected a model file/);
    expect(() => readTextInput(join(p, "x.json"), { what: "a model file" })).toThrow(/bom\.json is a file, not a folder/);
  });
  it("names why an output cannot be written, before and during the write, and leaves no temporary file", () => {
    const file = join(dir, "plain.txt");
    writeFileSync(file, "x");
    const folder = join(dir, "sub");
    mkdirSync(folder);
    expect(writeFailureCause(join(dir, "new", "deeper", "a.json"))).toBe("");
    expect(writeFailureCause(folder)).toBe("it is a folder, expected a file name");
    expect(writeFailureCause(join(file, "a.json"))).toBe(`${file} is a file, not a folder`);
    expect(writeFailureCause(file, undefined, true)).toBe("it is a file, expected a folder");
    expect(() => writeFileAtomic(folder, "x")).toThrow(/sub: cannot write the file: it is a folder/);
    expect(() => writeFileAtomic(join(file, "a.json"), "x")).toThrow(/is a file, not a folder/);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    writeFileAtomic(join(dir, "new", "deeper", "a.json"), "ok");
    expect(readFileSync(join(dir, "new", "deeper", "a.json"), "utf8")).toBe("ok");
  });
  it.runIf(process.getuid?.() !== 0)("a read-only folder is named (as a non-root user)", () => {
    const ro = join(dir, "ro");
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    expect(writeFailureCause(join(ro, "a.json"))).toBe(`the folder ${ro} is read-only (permission denied)`);
    expect(() => writeFileAtomic(join(ro, "a.json"), "x")).toThrow(/read-only/);
    expect(existsSync(join(ro, "a.json"))).toBe(false);
    chmodSync(ro, 0o755);
  });
  it("refuses to overwrite an input unless forced", () => {
    const input = join(dir, "in.json");
    writeFileSync(input, "{}");
    expect(sameFile(input, join(dir, ".", "in.json"))).toBe(true);
    expect(() => checkOutputFile(input, { option: "-o/--out", inputs: [input] })).toThrow(/in\.json: is also an input of this command/);
    expect(() => checkOutputFile(input, { option: "-o/--out", inputs: [input], force: true })).not.toThrow();
    expect(() => checkOutputFile(join(dir, "out.json"), { option: "-o/--out", inputs: [input] })).not.toThrow();
    expect(() => checkOutputFile(" ", { option: "-o/--out" })).toThrow("-o/--out: empty path, expected an output file name");
  });
});
