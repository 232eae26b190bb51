import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { ensureFolder, writeFileAtomic } from "../../common/atomic.js";
import { INCOMPLETE, markComplete, markIncomplete } from "../runFolder.js";

/**
 * A cell's run folder as one compressed blob, so that workers return results through Redis and
 * need no shared file system. Layout before compression (gzip, node:zlib):
 *
 *     "SSCF1\n" · u32 (big-endian) length of the header · header JSON · file bytes, in order
 *
 * with header `{"files": [{"path": "result.json", "size": 1234}, …]}`. Paths are relative,
 * `/`-separated, each part `[A-Za-z0-9._-]+` and never `.` or `..`: unpacking refuses anything
 * else, so a payload cannot write outside its folder. Temporary files (`.NAME…tmp`) are skipped.
 */

const MAGIC = Buffer.from("SSCF1\n", "latin1");

/** The largest packed folder the queue carries (compressed bytes). */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** The largest unpacked folder accepted (bytes). */
export const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024;

/** One file of a packed folder. */
export interface PackedFile {
  path: string;
  data: Buffer;
}

/** A corrupt or hostile payload. */
export class PayloadError extends Error {
  override name = "PayloadError";
}

const SAFE_PART = /^[A-Za-z0-9._-]+$/;

function checkPath(path: string): string {
  const parts = path.split("/");
  if (parts.length === 0 || parts.some((p) => !SAFE_PART.test(p) || p === "." || p === "..")) throw new PayloadError(`unsafe path ${JSON.stringify(path)} in a cell's files`);
  return path;
}

/** The files under `dir` (relative paths, sorted), without temporary files. */
function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix === "" ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile() && !/^\..+\.tmp$/.test(e.name)) out.push(rel);
  }
  return out;
}

/** Pack every file under `dir` into one gzip blob. */
export function packFolder(dir: string): Buffer {
  const files = listFiles(dir).map((path) => ({ path: checkPath(path), data: readFileSync(join(dir, path)) }));
  const header = Buffer.from(JSON.stringify({ files: files.map((f) => ({ path: f.path, size: f.data.length })) }), "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(header.length);
  return gzipSync(Buffer.concat([MAGIC, length, header, ...files.map((f) => f.data)]));
}

/** The files of a packed folder (PayloadError if it is not one). */
export function unpackFiles(blob: Buffer): PackedFile[] {
  let raw: Buffer;
  try {
    raw = gunzipSync(blob, { maxOutputLength: MAX_UNPACKED_BYTES });
  } catch (err) {
    throw new PayloadError(`a cell's files are not valid gzip data (${(err as Error).message})`);
  }
  if (raw.length < MAGIC.length + 4 || !raw.subarray(0, MAGIC.length).equals(MAGIC)) throw new PayloadError("a cell's files are not in splitscape's packed-folder format");
  const headerLength = raw.readUInt32BE(MAGIC.length);
  let offset = MAGIC.length + 4 + headerLength;
  let header: { files?: { path?: unknown; size?: unknown }[] };
  try {
    header = JSON.parse(raw.subarray(MAGIC.length + 4, offset).toString("utf8")) as typeof header;
  } catch {
    throw new PayloadError("a cell's packed files have a damaged header");
  }
  const files: PackedFile[] = [];
  for (const f of header.files ?? []) {
    if (typeof f.path !== "string" || !Number.isSafeInteger(f.size) || (f.size as number) < 0) throw new PayloadError("a cell's packed files have a damaged header");
    const end = offset + (f.size as number);
    if (end > raw.length) throw new PayloadError("a cell's packed files are cut short");
    files.push({ path: checkPath(f.path), data: raw.subarray(offset, end) });
    offset = end;
  }
  if (offset !== raw.length) throw new PayloadError("a cell's packed files have trailing bytes");
  return files;
}

/**
 * Make `dir` hold exactly `files`, keeping the run-folder rule (complete exactly when
 * result.json exists and INCOMPLETE does not) at every moment: INCOMPLETE is written first,
 * whatever else was there is removed, the files are written atomically, and INCOMPLETE is
 * last removed — or replaced by the packed one, when the cell itself was incomplete (failed).
 */
export function writeFolder(dir: string, files: readonly PackedFile[]): void {
  ensureFolder(dir);
  markIncomplete(dir, `being written from the queue since ${new Date().toISOString()}`);
  for (const e of readdirSync(dir)) if (e !== INCOMPLETE) rmSync(join(dir, e), { recursive: true, force: true });
  for (const f of files) if (f.path !== INCOMPLETE) writeFileAtomic(join(dir, ...f.path.split("/")), f.data);
  const marker = files.find((f) => f.path === INCOMPLETE);
  if (marker !== undefined) writeFileAtomic(join(dir, INCOMPLETE), marker.data);
  else markComplete(dir);
}
