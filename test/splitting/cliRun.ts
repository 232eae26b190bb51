/** Run the CLI in-process and capture stdout, stderr and the exit code (shared by my CLI tests). */
import { vi } from "vitest";
import { main } from "../../src/cli/main.js";

export async function runCli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const saved = process.exitCode;
  process.exitCode = undefined;
  const o = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    return { code: await main(["node", "splitscape", ...args]), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = saved;
  }
}
