// Stand-in for Node built-ins in the browser bundle. The library imports them only in its
// file-system and process corners (loading a dataset from a path, writing files, worker_threads
// pools), which the lab never calls: it passes file *contents* to the parsers. Reaching one of
// these is a bug, reported as such rather than as an obscure TypeError.
function unavailable(name: string): never {
  throw new Error(`${name} is not available in the browser (the lab passes file contents, not paths)`);
}
export const readFileSync = (): never => unavailable("fs.readFileSync");
export const writeFileSync = (): never => unavailable("fs.writeFileSync");
export const existsSync = (): boolean => false;
export const statSync = (): never => unavailable("fs.statSync");
export const readdirSync = (): never => unavailable("fs.readdirSync");
export const mkdirSync = (): never => unavailable("fs.mkdirSync");
export const renameSync = (): never => unavailable("fs.renameSync");
export const rmSync = (): never => unavailable("fs.rmSync");
export const openSync = (): never => unavailable("fs.openSync");
export const closeSync = (): never => unavailable("fs.closeSync");
export const writeSync = (): never => unavailable("fs.writeSync");
export const realpathSync = (): never => unavailable("fs.realpathSync");
export const fstatSync = (): never => unavailable("fs.fstatSync");
export const readSync = (): never => unavailable("fs.readSync");
export const accessSync = (): never => unavailable("fs.accessSync");
export const constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 };
export const inflateRawSync = (): never => unavailable("zlib.inflateRawSync");
export const gunzipSync = (): never => unavailable("zlib.gunzipSync");
export const gzipSync = (): never => unavailable("zlib.gzipSync");
/** Extension of a file name, as node:path's (the lab names uploads by their file names). */
export function extname(p: string): string {
  const base = p.slice(p.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot);
}
export const join = (...parts: string[]): string => parts.filter(Boolean).join("/");
export const dirname = (p: string): string => p.slice(0, Math.max(0, p.lastIndexOf("/"))) || ".";
export const basename = (p: string): string => p.slice(p.lastIndexOf("/") + 1);
export const resolve = join;
export const sep = "/";
export const cpus = (): unknown[] => [];
export const platform = (): string => "browser";
export const arch = (): string => "wasm";
export const release = (): string => "";
// The memory budget (common/limits) is min(4 GiB, totalmem / 2): in the page, 4 GiB.
export const totalmem = (): number => 8 * 2 ** 30;
export const createHash = (): never => unavailable("crypto.createHash");
export const fileURLToPath = (u: string): string => u;
export const pathToFileURL = (p: string): URL => new URL(p, "file:///");
export class Worker {
  constructor() {
    unavailable("worker_threads.Worker");
  }
}
export const parentPort = null;
export const spawn = (): never => unavailable("child_process.spawn");
export default {};
export const createRequire = (): ((id: string) => never) => (id: string) => unavailable(`require("${id}")`);
