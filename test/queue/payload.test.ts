import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { isComplete } from "../../src/experiments/index.js";
import { packFolder, PayloadError, unpackFiles, writeFolder } from "../../src/experiments/queue/index.js";

const scratch = mkdtempSync(join(tmpdir(), "splitscape-payload-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A hand-made packed folder: magic, header length, header, bytes (as payload.ts documents). */
function handPacked(files: { path: string; data: Buffer }[], tamper: (raw: Buffer) => Buffer = (r) => r): Buffer {
  const header = Buffer.from(JSON.stringify({ files: files.map((f) => ({ path: f.path, size: f.data.length })) }));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  return gzipSync(tamper(Buffer.concat([Buffer.from("SSCF1\n"), len, header, ...files.map((f) => f.data)])));
}

describe("packed cell folders", () => {
  it("round-trip every file byte for byte (sub-folders too), skipping temporary files, compressed", () => {
    const dir = join(scratch, "cell");
    mkdirSync(join(dir, "figures"), { recursive: true });
    const metrics = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ t: i / 10, loss: Math.exp(-i / 100) })).join("\n") + "\n";
    writeFileSync(join(dir, "metrics.jsonl"), metrics);
    writeFileSync(join(dir, "result.json"), '{"summary":{}}\n');
    writeFileSync(join(dir, "figures", "a.png"), Buffer.from([0, 255, 1, 254]));
    writeFileSync(join(dir, ".result.json.123.456.tmp"), "half");
    const blob = packFolder(dir);
    expect(blob.length).toBeLessThan(metrics.length / 3);
    const files = unpackFiles(blob);
    expect(files.map((f) => f.path)).toEqual(["figures/a.png", "metrics.jsonl", "result.json"]);
    const out = join(scratch, "copy");
    writeFolder(out, files);
    expect(readFileSync(join(out, "metrics.jsonl"), "utf8")).toBe(metrics);
    expect([...readFileSync(join(out, "figures", "a.png"))]).toEqual([0, 255, 1, 254]);
    expect(isComplete(out)).toBe(true);
  });

  it("replace what a folder held, and keep a failed cell's INCOMPLETE (never complete in between)", () => {
    const out = join(scratch, "failed");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "result.json"), "{}");
    writeFileSync(join(out, "stale.txt"), "old");
    writeFolder(out, [
      { path: "spec.json", data: Buffer.from("{}\n") },
      { path: "INCOMPLETE", data: Buffer.from("failed at …: boom\n") },
    ]);
    expect(existsSync(join(out, "stale.txt"))).toBe(false);
    expect(existsSync(join(out, "result.json"))).toBe(false);
    expect(readFileSync(join(out, "INCOMPLETE"), "utf8")).toBe("failed at …: boom\n");
    expect(isComplete(out)).toBe(false);
  });

  it.each(["../evil", "/etc/passwd", "a/../../b", "a//b", "."])("refuse the unsafe path %s", (path) => {
    expect(() => unpackFiles(handPacked([{ path, data: Buffer.from("x") }]))).toThrow(/unsafe path/);
  });

  it("refuse damaged data: not gzip, another format, cut short, trailing bytes", () => {
    const ok = [{ path: "a", data: Buffer.from("abc") }];
    expect(() => unpackFiles(Buffer.from("plain"))).toThrow(PayloadError);
    expect(() => unpackFiles(gzipSync(Buffer.from("SOMETHING ELSE")))).toThrow(/not in splitscape's packed-folder format/);
    expect(() => unpackFiles(handPacked(ok, (r) => r.subarray(0, r.length - 1)))).toThrow(/cut short/);
    expect(() => unpackFiles(handPacked(ok, (r) => Buffer.concat([r, Buffer.from("!")])))).toThrow(/trailing bytes/);
    expect(unpackFiles(handPacked(ok))[0].data.toString()).toBe("abc");
  });
});
