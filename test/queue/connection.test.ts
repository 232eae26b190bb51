// Connections: a bad URL, an unreachable server, a missing or wrong password, TLS — each a
// real redis-server and the built CLI. Failures are exit 2 within seconds, one line naming the
// URL without its credentials and the cause, nothing written (a server that never answers is
// given up after the check's deadline, CHECK_TIMEOUT_MS); a password never appears in run
// folders, logs or messages.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_TIMEOUT_MS } from "../../src/experiments/queue/index.js";
import {
  checkFreshBuild, filesUnder, freePort, killAll, makeCertificates, queueSuitePrerequisites, removeFolder, runSplitscape, startRedis, startWorkerProcess,
  tlsAvailable, type CliProcess, type RedisServer,
} from "./harness.js";

const pre = queueSuitePrerequisites("test/queue/connection.test.ts");
const tls = pre.ok && tlsAvailable();
if (pre.ok && !tls) console.warn("test/queue/connection.test.ts: redis-server without TLS support (or no openssl): the TLS case is skipped; URL parsing of rediss:// is covered by address.test.ts");

const PASSWORD = "pw-Sekr1t-42";
const scratch = mkdtempSync(join(tmpdir(), "splitscape-queue-connection-"));
const spec = join(scratch, "spec.yaml");
const servers: RedisServer[] = [];
const processes: CliProcess[] = [];

/** A failure the way the CLI must report it: exit 2, one line, the URL without credentials, no password, nothing written. */
function expectRefused(r: Awaited<ReturnType<typeof runSplitscape>>, shownUrl: RegExp, cause: RegExp, out?: string): void {
  expect(r.code, r.err).toBe(2);
  const lines = r.err.trim().split("\n");
  expect(lines, r.err).toHaveLength(1);
  expect(lines[0]).toMatch(/^splitscape: --(queue|status|cancel): /);
  expect(lines[0]).toMatch(shownUrl);
  expect(lines[0]).toMatch(cause);
  expect(r.err + r.out).not.toContain(PASSWORD);
  expect(r.err + r.out).not.toContain("wrong-password");
  if (out !== undefined) expect(existsSync(out), "nothing written").toBe(false);
}

describe.runIf(pre.ok)("queue connections (real redis-server)", () => {
  let secured: RedisServer;
  beforeAll(async () => {
    checkFreshBuild();
    writeFileSync(spec, "kind: linalg-check\nparams: { sizes: [4], n: 16 }\ngrid: { seed: [1, 2] }\n");
    secured = await startRedis({ password: PASSWORD });
    servers.push(secured);
  });
  afterAll(async () => {
    await killAll(processes);
    for (const s of servers) {
      await s.stop();
      removeFolder(s.dir);
    }
    removeFolder(scratch);
  });

  it("bad URL, unreachable or silent server, no password, wrong password: exit 2, naming the URL (no password) and the cause", async () => {
    const closed = await freePort();
    // A server that accepts connections and never answers: only the check's deadline ends the wait.
    const silent = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, "127.0.0.1", done));
    const quiet = (silent.address() as AddressInfo).port;
    const p = secured.port;
    const out = (k: string): string => join(scratch, `never-${k}`);
    const cases = await Promise.all([
      runSplitscape(["sweep", spec, "--queue", `redis://127.0.0.1:${p}`, "-o", out("a")]),
      runSplitscape(["sweep", spec, "--queue", `redis://:wrong-password@127.0.0.1:${p}/0`, "-o", out("b")]),
      runSplitscape(["sweep", spec, "--queue", `redis://admin:${PASSWORD}@127.0.0.1:${closed}/2`, "-o", out("c")]),
      runSplitscape(["sweep", spec, "--queue", "redis://no-such-host.invalid:6379", "-o", out("d")]),
      runSplitscape(["sweep", spec, "--queue", `redis://u:${PASSWORD}@127.0.0.1:99999`, "-o", out("e")]),
      runSplitscape(["worker", "--queue", `redis://:wrong-password@127.0.0.1:${p}`]),
      runSplitscape(["sweep", "--status", `redis://:${PASSWORD}@127.0.0.1:${closed}`]),
      runSplitscape(["sweep", spec, "--queue", `redis://127.0.0.1:${p}/0`, "-o", out("h")], { env: { SPLITSCAPE_REDIS_PASSWORD: "wrong-password" } }),
      runSplitscape(["sweep", spec, "--queue", `redis://:${PASSWORD}@127.0.0.1:${quiet}`, "-o", out("i")]),
    ]);
    silent.close();
    const at = (port: number, db = 0, creds = ""): RegExp => new RegExp(`cannot use the Redis server at redis://${creds}127\\.0\\.0\\.1:${port}/${db}: `);
    expectRefused(cases[0], at(p), /the server requires a password: give it in the URL \(redis:\/\/:PASSWORD@HOST:PORT\) or in SPLITSCAPE_REDIS_PASSWORD$/, out("a"));
    expectRefused(cases[1], at(p, 0, "\\*\\*\\*@"), /the server refused the user name or password \(WRONGPASS\)$/, out("b"));
    expectRefused(cases[2], at(closed, 2, "\\*\\*\\*@"), /connection refused \(is redis-server running there/, out("c"));
    expectRefused(cases[3], /redis:\/\/no-such-host\.invalid:6379\/0: /, /unknown host "no-such-host\.invalid"|no answer within/, out("d"));
    expectRefused(cases[4], /got "redis:\/\/\*\*\*@127\.0\.0\.1:99999"/, /port 99999 is not in 1…65535/, out("e"));
    expectRefused(cases[5], at(p, 0, "\\*\\*\\*@"), /WRONGPASS/);
    expectRefused(cases[6], at(closed, 0, "\\*\\*\\*@"), /connection refused/);
    expectRefused(cases[7], at(p), /WRONGPASS/, out("h"));
    expectRefused(cases[8], at(quiet, 0, "\\*\\*\\*@"), new RegExp(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`), out("i"));
  }, 300_000);

  it("a password-protected server: the password from the URL (submitter) or SPLITSCAPE_REDIS_PASSWORD (worker) works, and appears in no file, log or message", async () => {
    const worker = startWorkerProcess(`redis://127.0.0.1:${secured.port}/5`, [], { env: { SPLITSCAPE_REDIS_PASSWORD: PASSWORD } });
    processes.push(worker);
    const out = join(scratch, "secured");
    const r = await runSplitscape(["sweep", spec, "--queue", `redis://default:${PASSWORD}@127.0.0.1:${secured.port}/5`, "-o", out, "--json"]);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out) as { dir: string; queue: string; cells: number; failed: number };
    expect(doc).toMatchObject({ cells: 2, failed: 0, queue: `redis://***@127.0.0.1:${secured.port}/5` });
    const status = await runSplitscape(["sweep", "--status", `redis://:${PASSWORD}@127.0.0.1:${secured.port}/5`, "--json"]);
    expect(status.code).toBe(0);
    worker.child.kill("SIGTERM");
    await worker.exit;
    for (const text of [r.out, r.err, status.out, status.err, worker.stderr(), ...filesUnder(out).map((f) => readFileSync(join(out, f), "latin1"))]) {
      expect(text).not.toContain(PASSWORD);
    }
    expect(worker.stderr()).toMatch(/cell \S+ done in /);
  }, 300_000);

  it.runIf(tls)("TLS (rediss://) with a password and a private CA (NODE_EXTRA_CA_CERTS); without the CA, or with redis://, exit 2 saying TLS", async () => {
    const files = makeCertificates(join(scratch, "tls"));
    const server = await startRedis({ password: PASSWORD, tls: files });
    servers.push(server);
    const url = `rediss://:${PASSWORD}@127.0.0.1:${server.port}/1`;
    const env = { NODE_EXTRA_CA_CERTS: files.ca };
    const worker = startWorkerProcess(url, [], { env });
    processes.push(worker);
    const out = join(scratch, "tls-sweep");
    const r = await runSplitscape(["sweep", spec, "--queue", url, "-o", out], { env });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("2 cells: 2 run, 0 reused, 0 failed");
    expect(r.err).toContain(`through rediss://***@127.0.0.1:${server.port}/1`);
    const [noCa, plain] = await Promise.all([
      runSplitscape(["sweep", spec, "--queue", url, "-o", join(scratch, "never-tls")]),
      runSplitscape(["sweep", spec, "--queue", url.replace("rediss:", "redis:"), "-o", join(scratch, "never-plain")]),
    ]);
    expectRefused(noCa, new RegExp(`rediss://\\*\\*\\*@127\\.0\\.0\\.1:${server.port}/1: `), /TLS failed: .*certificate.*NODE_EXTRA_CA_CERTS=ca\.pem/, join(scratch, "never-tls"));
    expectRefused(plain, new RegExp(`redis://\\*\\*\\*@127\\.0\\.0\\.1:${server.port}/1: `), /closed the connection|does not speak the Redis protocol|no answer/, join(scratch, "never-plain"));
    worker.child.kill("SIGTERM");
    await worker.exit;
    expect(worker.stderr()).not.toContain(PASSWORD);
  }, 300_000);
});
