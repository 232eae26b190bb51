// The static server of `splitscape lab`: serves the built web lab (dist/web) on 127.0.0.1 only,
// with the headers that make the page cross-origin isolated (so SharedArrayBuffer and shared
// wasm memories work), correct MIME types (application/wasm among them), no directory listing
// and no path outside the root. Nothing here knows about the lab itself: it serves files.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../common/errors.js";

/** The only interface the server binds: the loopback address, never a public one. */
export const LAB_HOST = "127.0.0.1";

/** Default port of `splitscape lab`. */
export const LAB_DEFAULT_PORT = 4180;

/** Content types by file extension (lower case); anything else is application/octet-stream. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".woff2": "font/woff2",
};

/**
 * Headers sent with every response. COOP same-origin + COEP require-corp make the page
 * cross-origin isolated (`crossOriginIsolated === true`), the precondition for SharedArrayBuffer
 * and shared WebAssembly memories in browsers. The CSP keeps every request on this origin;
 * 'unsafe-eval' is needed by WebAssembly compilation and by Vega's expression compiler.
 */
export const LAB_HEADERS: Readonly<Record<string, string>> = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-cache",
  "Content-Security-Policy":
    "default-src 'self'; script-src 'self' 'unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; " +
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
};

/** The content type of a file name. */
export function mimeType(file: string): string {
  return MIME_TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
}

/** Where a request path leads: a file under the root, or why it does not. */
export type StaticTarget =
  | { kind: "file"; path: string }
  | { kind: "bad-request"; reason: string }
  | { kind: "not-found" };

/**
 * Map a URL path (percent-encoded, query string already removed) to a regular file under
 * `root`. "/" is index.html; every other path must name a file: a directory is "not found" (no
 * listings). A path that would leave the root — `..` segments, encoded or not, backslashes, NUL
 * bytes, or a symbolic link pointing outside — is never served.
 */
export function resolveStaticPath(root: string, urlPath: string): StaticTarget {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: "bad-request", reason: "malformed percent-encoding" };
  }
  if (!decoded.startsWith("/")) return { kind: "bad-request", reason: "the path must start with /" };
  if (decoded.includes("\0") || decoded.includes("\\")) return { kind: "bad-request", reason: "NUL or backslash in the path" };
  const segments = decoded.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.some((s) => s === "..")) return { kind: "bad-request", reason: "'..' in the path" };
  const relative = segments.length === 0 ? "index.html" : segments.join("/");
  const realRoot = realpathSync(root);
  const candidate = resolve(realRoot, relative);
  if (!candidate.startsWith(realRoot + sep)) return { kind: "bad-request", reason: "outside the root" };
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    return { kind: "not-found" };
  }
  if (!real.startsWith(realRoot + sep)) return { kind: "not-found" };
  if (!statSync(real).isFile()) return { kind: "not-found" };
  return { kind: "file", path: real };
}

function sendText(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...LAB_HEADERS, "Content-Type": "text/plain; charset=utf-8", ...extra });
  res.end(`${text}\n`);
}

/** The request handler over `root` (exported for tests that drive it without a socket). */
export function staticHandler(root: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendText(res, 405, "method not allowed", { Allow: "GET, HEAD" });
      return;
    }
    const raw = req.url ?? "/";
    const q = raw.search(/[?#]/);
    const target = resolveStaticPath(root, q < 0 ? raw : raw.slice(0, q));
    if (target.kind === "bad-request") {
      sendText(res, 400, `bad request: ${target.reason}`);
      return;
    }
    if (target.kind === "not-found") {
      sendText(res, 404, "not found");
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(target.path);
    } catch {
      sendText(res, 404, "not found");
      return;
    }
    res.writeHead(200, { ...LAB_HEADERS, "Content-Type": mimeType(target.path), "Content-Length": String(body.length) });
    res.end(req.method === "HEAD" ? undefined : body);
  };
}

/**
 * The built lab: `web` next to this module's folder (dist/cli → dist/web), or dist/web from the
 * sources (src/cli → dist/web). InputError when it was never built.
 */
export function labRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, "..", "web"), join(here, "..", "..", "dist", "web")];
  for (const c of candidates) if (existsSync(join(c, "index.html"))) return c;
  throw new InputError("lab", "the built lab (dist/web/index.html) is missing: run `npm run build:web` (or `npm run build`)");
}

/** A running lab server. */
export interface LabServer {
  readonly url: string;
  readonly port: number;
  readonly root: string;
  close(): Promise<void>;
}

/**
 * Serve `root` on 127.0.0.1:`port` (0: a free port chosen by the system). A port already in use
 * is an InputError naming it (exit 2 in the CLI).
 */
export function startLabServer(root: string, port: number): Promise<LabServer> {
  const server: Server = createServer(staticHandler(root));
  return new Promise((resolvePromise, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") reject(new InputError("--port", `port ${port} on ${LAB_HOST} is already in use; choose another (e.g. --port ${port + 1}) or stop the program using it`));
      else if (err.code === "EACCES") reject(new InputError("--port", `no permission to listen on port ${port} of ${LAB_HOST}; choose a port ≥ 1024`));
      else reject(err);
    });
    server.listen(port, LAB_HOST, () => {
      const address = server.address();
      const actual = typeof address === "object" && address !== null ? address.port : port;
      resolvePromise({
        url: `http://${LAB_HOST}:${actual}/`,
        port: actual,
        root,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
