// Test harness for the queue: a REAL redis-server (Debian's package) on a free loopback port in
// a temporary folder, and the BUILT CLI (`node bin/splitscape.js …`) as submitters and workers —
// several processes on this machine stand in for machines. No mocks. Everything waits on
// observable state (a log line, a file, a process exit) with generous deadlines, never on a
// fixed sleep, so the suite holds on a loaded 2-core machine.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repo = resolve(import.meta.dirname, "../..");
export const bin = join(repo, "bin/splitscape.js");

/** True when the CLI is built (dist/) and redis-server is installed: the suite's preconditions. */
export function queuePrerequisites(): { ok: boolean; why: string } {
  if (!existsSync(join(repo, "dist/cli/main.js"))) return { ok: false, why: "dist/ is not built (npm run build)" };
  const r = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (r.status !== 0) return { ok: false, why: "redis-server is not installed (apt-get install -y redis-server; .ci/run does)" };
  return { ok: true, why: "" };
}

/**
 * The preconditions of a test file that drives a real Redis: when they are missing the file's
 * suite is skipped with one clear line on stderr — except in CI (the CI environment variable
 * set), where `.ci/run` installs redis-server and `npm test` builds dist/, so a missing one is
 * an error, never a silent skip.
 */
export function queueSuitePrerequisites(file: string): { ok: boolean; why: string } {
  const pre = queuePrerequisites();
  if (pre.ok) return pre;
  if (process.env.CI) throw new Error(`${file}: the queue tests must run in CI, but ${pre.why}`);
  console.warn(`${file}: SKIPPED, ${pre.why}`);
  return pre;
}

/** Newest modification time under a folder. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Throw unless dist/ is built from the current sources (the processes run the built CLI). */
export function checkFreshBuild(): void {
  const distMain = join(repo, "dist/cli/main.js");
  if (statSync(distMain).mtimeMs < newest(join(repo, "src"))) throw new Error("dist/ is older than src/: run `npm run build` (npm test does it first)");
}

/** True when redis-server was built with TLS and openssl is there to make certificates. */
export function tlsAvailable(): boolean {
  const probe = spawnSync("redis-server", ["--port", "0", "--tls-port", "1", "--loglevel", "warning"], { encoding: "utf8", timeout: 5000 });
  // A build with TLS complains about the missing certificates; one without, about the directive.
  const tlsBuilt = /Failed to configure TLS|tls-ca-cert|certificate/i.test(`${probe.stdout}${probe.stderr}`);
  return tlsBuilt && spawnSync("openssl", ["version"]).status === 0;
}

/** A free TCP port on 127.0.0.1 (asked from the kernel). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

/** Poll `check` (every 100 ms) until it returns a truthy value; reject after `timeoutMs`. */
export async function waitUntil<T>(check: () => T | Promise<T>, what: string, timeoutMs = 120_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** TLS files for a test server: a private CA and a certificate for 127.0.0.1 / localhost. */
export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** Make a CA and a server certificate with openssl in `dir`. */
export function makeCertificates(dir: string): TlsFiles {
  mkdirSync(dir, { recursive: true });
  const f = (n: string): string => join(dir, n);
  const run = (args: string[]): void => {
    const r = spawnSync("openssl", args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=splitscape test CA"]);
  writeFileSync(f("ext.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", f("server.key"), "-out", f("server.csr"), "-subj", "/CN=localhost"]);
  run(["x509", "-req", "-in", f("server.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("server.pem"), "-days", "2", "-extfile", f("ext.cnf")]);
  return { ca: f("ca.pem"), cert: f("server.pem"), key: f("server.key") };
}

/** Options of a test Redis server. */
export interface RedisOptions {
  password?: string;
  /** Append-only file on, fsync'ed on every write (survives a restart). */
  appendonly?: boolean;
  /** Serve TLS only (the plain port is off). */
  tls?: TlsFiles;
}

/** A running test server. */
export interface RedisServer {
  port: number;
  dir: string;
  /** redis:// or rediss:// URL, with the password when there is one. */
  url: string;
  /** The URL without credentials. */
  plainUrl: string;
  /** SIGTERM (Redis saves its append-only file) and wait for the exit. */
  stop(): Promise<void>;
  /** Start it again on the same port and folder. */
  start(): Promise<void>;
}

/** Start redis-server on a free loopback port in a temporary folder. */
export async function startRedis(opts: RedisOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "splitscape-redis-"));
  const conf = [
    "bind 127.0.0.1",
    opts.tls ? "port 0" : `port ${port}`,
    ...(opts.tls ? [`tls-port ${port}`, `tls-cert-file ${opts.tls.cert}`, `tls-key-file ${opts.tls.key}`, `tls-ca-cert-file ${opts.tls.ca}`, "tls-auth-clients no"] : []),
    `dir ${dir}`,
    'save ""',
    `appendonly ${opts.appendonly ? "yes" : "no"}`,
    "appendfsync always",
    ...(opts.password ? [`requirepass ${opts.password}`] : []),
    'logfile ""',
  ];
  writeFileSync(join(dir, "redis.conf"), conf.join("\n") + "\n");
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const scheme = opts.tls ? "rediss" : "redis";
  const server: RedisServer = {
    port,
    dir,
    url: `${scheme}://${opts.password ? `:${opts.password}@` : ""}127.0.0.1:${port}`,
    plainUrl: `${scheme}://127.0.0.1:${port}`,
    async start() {
      const c = spawn("redis-server", [join(dir, "redis.conf")], { stdio: ["ignore", "pipe", "pipe"] });
      child = c;
      let log = "";
      c.stdout!.on("data", (b: Buffer) => (log += b.toString()));
      c.stderr!.on("data", (b: Buffer) => (log += b.toString()));
      exited = new Promise((done) => c.on("exit", () => done()));
      await waitUntil(() => {
        if (c.exitCode !== null) throw new Error(`redis-server exited: ${log}`);
        return /Ready to accept connections/.test(log);
      }, "redis-server to be ready", 60_000);
    },
    async stop() {
      if (child === null || child.exitCode !== null) return;
      child.kill("SIGTERM");
      await exited;
      child = null;
    },
  };
  await server.start();
  return server;
}

/** A CLI process and what it printed. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Wait until stderr matches. */
  waitForErr(pattern: RegExp, what?: string, timeoutMs?: number): Promise<void>;
}

/** Spawn `node bin/splitscape.js …args`. */
export function splitscape(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined>; binary?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [opts.binary ?? bin, ...args], { cwd: opts.cwd ?? repo, env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on("close", (code, signal) => done({ code, signal })));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitForErr: (pattern, what, timeoutMs) => waitUntil(() => {
      if (pattern.test(err)) return true;
      if (child.exitCode !== null) throw new Error(`the process ended before ${what ?? pattern}: ${err}`);
      return false;
    }, what ?? String(pattern), timeoutMs).then(() => undefined),
  };
}

/** Run the CLI to its end. */
export async function runSplitscape(args: string[], opts: Parameters<typeof splitscape>[1] = {}): Promise<{ code: number | null; out: string; err: string; seconds: number }> {
  const t0 = Date.now();
  const p = splitscape(args, opts);
  const { code } = await p.exit;
  return { code, out: p.stdout(), err: p.stderr(), seconds: (Date.now() - t0) / 1000 };
}

/** A queue worker process (`splitscape worker --queue URL …`). */
export function startWorkerProcess(url: string, args: string[] = [], opts: Parameters<typeof splitscape>[1] = {}): CliProcess {
  return splitscape(["worker", "--queue", url, "--concurrency", "1", "--stall-seconds", "3", ...args], opts);
}

/** Stop processes still running (SIGKILL) at the end of a test. */
export async function killAll(processes: readonly CliProcess[]): Promise<void> {
  for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await Promise.all(processes.map((p) => p.exit));
}

/** How many times each cell was started, from the workers' logs (`cell <job id> started`). */
export function startsPerCell(logs: readonly string[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const log of logs) for (const m of log.matchAll(/cell sweep-[^ ]+\.([0-9a-f]{8})\.v\S+ started/g)) n.set(m[1], (n.get(m[1]) ?? 0) + 1);
  return n;
}

/** Every file under `dir` (relative paths, sorted). */
export function filesUnder(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix)).sort()) {
    const rel = prefix === "" ? e : `${prefix}/${e}`;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...filesUnder(dir, rel));
    else out.push(rel);
  }
  return out;
}

/**
 * A file of a sweep folder without its timings: run.json without started/finished/seconds and
 * the environment's date, report.html without the date row, INCOMPLETE without "at <time>".
 */
export function withoutTimings(path: string): string {
  const text = readFileSync(path, "utf8");
  if (path.endsWith("run.json")) {
    const { started: _s, finished: _f, seconds: _sec, environment, ...rest } = JSON.parse(text) as Record<string, unknown> & { environment?: Record<string, unknown> };
    const { date: _d, ...env } = environment ?? {};
    return JSON.stringify({ ...rest, environment: env });
  }
  if (path.endsWith("report.html")) return text.replace(/<th>date<\/th><td class="">[^<]*<\/td>/g, "<th>date</th><td>—</td>");
  if (path.endsWith("INCOMPLETE")) return text.replace(/ at \d{4}-\d\d-\d\dT[\d:.]+Z/, " at —");
  return text;
}

/** Remove a test's scratch folder. */
export function removeFolder(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
