// The static server of `splitscape lab`: MIME types (wasm), cross-origin isolation headers on
// every response, no directory listing, no path traversal (plain, percent-encoded, backslash,
// NUL, symbolic links, sibling-prefix folders), 127.0.0.1 only, and the CLI's contract: a taken
// port is exit 2 with a one-line message, Ctrl-C is exit 130.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAB_HOST, mimeType, resolveStaticPath, startLabServer, type LabServer } from "../../src/cli/labServer.js";
import { runCli } from "../helpers/cli.js";

const base = mkdtempSync(join(tmpdir(), "splitscape-lab-server-"));
const root = join(base, "site");
const SECRET = "secret-outside-the-root";
let server: LabServer;

beforeAll(async () => {
  mkdirSync(join(root, "assets", "deep"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>lab</title>");
  writeFileSync(join(root, "assets", "app.js"), "export {};");
  writeFileSync(join(root, "assets", "kernel.wasm"), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  writeFileSync(join(root, "assets", "deep", "a b.css"), "body{}");
  writeFileSync(join(base, "secret.txt"), SECRET);
  mkdirSync(join(base, "site-evil"));
  writeFileSync(join(base, "site-evil", "x.txt"), SECRET);
  symlinkSync(join(base, "secret.txt"), join(root, "assets", "link.txt"));
  server = await startLabServer(root, 0);
});
afterAll(async () => {
  await server?.close();
  rmSync(base, { recursive: true, force: true });
});

/** A raw GET (node's http does not normalise `..` away, unlike fetch and URL). */
function get(path: string, method = "GET"): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: LAB_HOST, port: server.port, path, method }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("lab static server", () => {
  it("serves index.html at / with the cross-origin isolation headers", async () => {
    const r = await get("/?view=train&seed=3");
    expect(r.status).toBe(200);
    expect(r.body).toContain("<title>lab</title>");
    expect(r.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(r.headers["cross-origin-opener-policy"]).toBe("same-origin");
    expect(r.headers["cross-origin-embedder-policy"]).toBe("require-corp");
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    expect(String(r.headers["content-security-policy"])).toContain("connect-src 'self'");
  });

  it("sends the right MIME types, application/wasm included, and HEAD without a body", async () => {
    expect((await get("/assets/kernel.wasm")).headers["content-type"]).toBe("application/wasm");
    expect((await get("/assets/app.js")).headers["content-type"]).toBe("text/javascript; charset=utf-8");
    const css = await get("/assets/deep/a%20b.css");
    expect(css.status).toBe(200);
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    const head = await get("/assets/app.js", "HEAD");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["content-length"]).toBe("10");
    expect(mimeType("x.WASM")).toBe("application/wasm");
    expect(mimeType("x.unknown")).toBe("application/octet-stream");
  });

  it("lists no directory (404, with and without a trailing slash) and 404s missing files", async () => {
    for (const p of ["/assets", "/assets/", "/assets/deep/", "/missing.js"]) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toContain("app.js");
      expect(r.headers["cross-origin-embedder-policy"], p).toBe("require-corp");
    }
  });

  it("never serves a file outside the root", async () => {
    const attacks = [
      "/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
      "/..%2fsecret.txt", "/..%5csecret.txt", "/assets\\..\\..\\secret.txt", "/index.html%00.js", "/../site-evil/x.txt",
      "/assets/link.txt", "//etc/passwd", "/%", "/%zz",
    ];
    for (const p of attacks) {
      const r = await get(p);
      expect([400, 404], p).toContain(r.status);
      expect(r.body, p).not.toContain(SECRET);
      expect(r.body, p).not.toContain("root:");
    }
    expect(resolveStaticPath(root, "/../secret.txt").kind).toBe("bad-request");
    expect(resolveStaticPath(root, "/assets/link.txt").kind).toBe("not-found");
    expect(resolveStaticPath(root, "/assets/app.js")).toEqual({ kind: "file", path: expect.stringMatching(/assets[/\\]app\.js$/) });
  });

  it("answers only GET and HEAD", async () => {
    const r = await get("/index.html", "POST");
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe("GET, HEAD");
  });

  it("listens on 127.0.0.1 only", () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });
});

describe("splitscape lab", () => {
  it("exits 2 with a one-line message when the port is taken", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, LAB_HOST, () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli("lab", "--port", String(port));
      expect(r.code).toBe(2);
      expect(r.err).toBe(`splitscape: --port: port ${port} on 127.0.0.1 is already in use; choose another (e.g. --port ${port + 1}) or stop the program using it\n`);
      expect(r.out).toBe("");
    } finally {
      blocker.close();
    }
  });

  it("rejects a port outside 0–65535 (exit 2)", async () => {
    const r = await runCli("lab", "--port", "70000");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--port: expected an integer in [0, 65535]");
  });

  it("serves the built lab until SIGINT, then exits 130", async () => {
    const running = runCli("lab", "--port", "0", "--json");
    // The command prints its JSON once listening: poll what runCli has captured.
    const started = Date.now();
    let url = "";
    while (url === "" && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 20));
      url = /"url": "([^"]+)"/.exec(capturedOut())?.[1] ?? "";
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(await page.text()).toContain("splitscape lab");
    process.emit("SIGINT");
    const r = await running;
    expect(r.code).toBe(130);
    const j = JSON.parse(r.out);
    expect(j.url).toBe(url);
  });
});

/** stdout captured so far by runCli's spy (the spy is process.stdout.write's current mock). */
function capturedOut(): string {
  const w = process.stdout.write as unknown as { mock?: { calls: unknown[][] } };
  return (w.mock?.calls ?? []).map((c) => String(c[0])).join("");
}
