import { isIP } from "node:net";
import { InputError } from "../../common/index.js";

/**
 * Where the queue lives: a Redis URL `redis://[user:password@]HOST[:PORT][/DB]`, or `rediss://…`
 * for TLS (the server's certificate is checked against Node's CA store; a private CA is added
 * with Node's own NODE_EXTRA_CA_CERTS=ca.pem). The password may instead come from the
 * environment variable SPLITSCAPE_REDIS_PASSWORD, which keeps it out of command lines (`ps`)
 * and shell histories. Credentials never leave this object: every message names the server
 * by `display`, the URL without them.
 */

/** The environment variable read for the password when the URL has none. */
export const REDIS_PASSWORD_ENV = "SPLITSCAPE_REDIS_PASSWORD";

/** Redis's port when the URL names none. */
export const DEFAULT_REDIS_PORT = 6379;

/** A parsed queue URL. */
export interface QueueAddress {
  /** `rediss://`: TLS, with the server's certificate verified for `host`. */
  tls: boolean;
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  port: number;
  /** Redis logical database (SELECT). */
  db: number;
  username?: string;
  password?: string;
  /** The URL without credentials (`redis://***@host:port/db` when it had some): for messages. */
  display: string;
}

/** A URL's text with any `user:password@` part replaced by `***@` (for messages about bad URLs). */
export function redactUrlText(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/, "$1***@");
}

/** `text` with every occurrence of the address's password and user name replaced by `***`. */
export function redactSecrets(text: string, address: QueueAddress): string {
  let out = text;
  for (const secret of [address.password, address.username]) {
    if (secret === undefined || secret.length < 3) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join("***");
  }
  return out;
}

const FORM = "redis://[user:password@]HOST[:PORT][/DB] or rediss://… (TLS)";

/**
 * Parse a queue URL (the `--queue` option). InputError naming `option` for anything else:
 * another scheme, no host, a port outside 1…65535, a database that is not a non-negative
 * integer, query parameters. The message shows the URL with its credentials masked.
 */
export function parseQueueUrl(text: string, option = "--queue", env: NodeJS.ProcessEnv = process.env): QueueAddress {
  const shown = JSON.stringify(redactUrlText(text));
  const bad = (why: string): InputError => new InputError(option, `${why}: expected ${FORM}, got ${shown}`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(text)?.[1]?.toLowerCase();
  if (scheme !== "redis" && scheme !== "rediss") throw bad(scheme === undefined ? "not a URL" : `the scheme ${scheme}:// is not Redis's`);
  const port = /^[^:]+:\/\/(?:[^@/?#]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)/.exec(text)?.[1];
  if (port !== undefined && Number(port) > 65535) throw bad(`port ${port} is not in 1…65535`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad("not a valid URL");
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (host === "") throw bad("no host");
  const portNumber = url.port === "" ? DEFAULT_REDIS_PORT : Number(url.port);
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) throw bad(`port ${url.port} is not in 1…65535`);
  const path = url.pathname.replace(/^\//, "");
  if (path !== "" && !/^\d{1,9}$/.test(path)) throw bad(`the database "/${path}" is not a number`);
  if (url.search !== "" || url.hash !== "") throw bad("query parameters and fragments are not supported");
  const db = path === "" ? 0 : Number(path);
  const decode = (s: string): string | undefined => {
    if (s === "") return undefined;
    try {
      return decodeURIComponent(s);
    } catch {
      throw bad("the user name or password is not valid percent-encoding");
    }
  };
  const username = decode(url.username);
  const password = decode(url.password) ?? (env[REDIS_PASSWORD_ENV] || undefined);
  const hostText = isIP(host) === 6 ? `[${host}]` : host;
  const credentials = url.username !== "" || url.password !== "" ? "***@" : "";
  return {
    tls: scheme === "rediss",
    host,
    port: portNumber,
    db,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    display: `${scheme}://${credentials}${hostText}:${portNumber}/${db}`,
  };
}
