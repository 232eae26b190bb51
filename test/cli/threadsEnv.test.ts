/**
 * SPLITSCAPE_THREADS is validated once, before any command runs (src/cli/main.ts preAction hook
 * on linalg's threadCount): a bad value is exit 2 with one line naming the variable and the
 * value, and nothing is written; --help still works.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";

async function withThreadsEnv<T>(value: string, f: () => Promise<T>): Promise<T> {
  const saved = process.env.SPLITSCAPE_THREADS;
  process.env.SPLITSCAPE_THREADS = value;
  try {
    return await f();
  } finally {
    if (saved === undefined) delete process.env.SPLITSCAPE_THREADS;
    else process.env.SPLITSCAPE_THREADS = saved;
  }
}

describe("SPLITSCAPE_THREADS in the CLI", () => {
  it("a bad value: exit 2 before the command runs, one line, no file", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "splitscape-threads-")), "blobs.json");
    for (const bad of ["two", "0", "1.5"]) {
      const r = await withThreadsEnv(bad, () => runCli("data", "make", "builtin:blobs?n=8", "-o", out));
      expect(r.code).toBe(2);
      expect(r.err).toBe(`splitscape: SPLITSCAPE_THREADS: expected a positive integer, got "${bad}"\n`);
      expect(r.out).toBe("");
      expect(existsSync(out)).toBe(false);
    }
    const ok = await withThreadsEnv("2", () => runCli("data", "make", "builtin:blobs?n=8", "-o", out));
    expect(ok.code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it("--help does not read it", async () => {
    expect((await withThreadsEnv("two", () => runCli("--help"))).code).toBe(0);
  });
});
