import { isIP } from "node:net";
import type { RedisOptions as BullRedisOptions } from "bullmq";
import { InputError } from "../../common/index.js";
import { redactSecrets, REDIS_PASSWORD_ENV, type QueueAddress } from "./address.js";

/**
 * Connections to the queue's Redis. BullMQ and ioredis are imported here, on first use, and
 * nowhere else: commands without `--queue` never load them.
 *
 * Two kinds of connection:
 *  - the check (checkConnection), made once before anything is written or enqueued: one
 *    attempt, a deadline of a few seconds, and a failure is an InputError (exit 2) naming the
 *    URL without its password and the cause in words;
 *  - long-lived connections (submitter, worker), which retry forever with a capped back-off,
 *    so a restarted Redis is waited for, and whose commands wait while disconnected
 *    (maxRetriesPerRequest: null, which BullMQ's workers require).
 */

/** The two drivers. */
export interface Drivers {
  bullmq: typeof import("bullmq");
  Redis: typeof import("ioredis").Redis;
}

let loading: Promise<Drivers> | undefined;

/** BullMQ and ioredis (imported once). */
export function loadDrivers(): Promise<Drivers> {
  loading ??= Promise.all([import("bullmq"), import("ioredis")]).then(([bullmq, ioredis]) => ({ bullmq, Redis: ioredis.Redis }));
  return loading;
}

/** The longest pause between two reconnection attempts of a long-lived connection. */
export const MAX_RECONNECT_DELAY_MS = 2000;

/** How long the connection check waits for an answer. */
export const CHECK_TIMEOUT_MS = 4000;

/** ioredis connection options (BullMQ's name for them). */
export type RedisOptions = BullRedisOptions;

/** Connection options for an address: host, port, database, credentials, TLS. */
function baseOptions(address: QueueAddress): RedisOptions {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    ...(address.username !== undefined ? { username: address.username } : {}),
    ...(address.password !== undefined ? { password: address.password } : {}),
    // TLS: verify the certificate for the host name (SNI only for names, not IP addresses).
    ...(address.tls ? { tls: isIP(address.host) === 0 ? { servername: address.host } : {} } : {}),
  };
}

/** Options of a long-lived connection: reconnects forever, commands wait while it is down. */
export function longLivedOptions(address: QueueAddress): RedisOptions {
  return {
    ...baseOptions(address),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(100 * times, MAX_RECONNECT_DELAY_MS),
  };
}

/** The server's cause of a failed connection, in words (what the user can do about it). */
export function describeConnectionError(err: { code?: string; message?: string } | undefined, address: QueueAddress): string {
  const code = err?.code ?? "";
  const message = redactSecrets(err?.message ?? "", address);
  if (code === "ECONNREFUSED") return "connection refused (is redis-server running there, and bound to an address this machine reaches?)";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `unknown host ${JSON.stringify(address.host)}`;
  if (code === "ETIMEDOUT" && address.tls) return "no TLS handshake (ETIMEDOUT; a server without TLS? then use redis://)";
  if (code === "ETIMEDOUT" || code === "EHOSTUNREACH" || code === "ENETUNREACH") return `no route to the server or no answer (${code}; a firewall, a wrong address, or the machine is down)`;
  if (/^WRONGPASS/.test(message)) return "the server refused the user name or password (WRONGPASS)";
  if (/^NOAUTH/.test(message)) return `the server requires a password: give it in the URL (redis://:PASSWORD@HOST:PORT) or in ${REDIS_PASSWORD_ENV}`;
  if (/without any password configured|AUTH.*no password is set/i.test(message)) return "a password was given but the server has none (remove it from the URL)";
  if (/DB index is out of range/.test(message)) return `the server has no database ${address.db} (see its "databases" setting)`;
  if (/Unknown RESP type|Protocol error/i.test(message)) {
    return "the server does not speak the Redis protocol (a wrong port, a proxy, or a TLS-only server reached with redis://: use rediss://)";
  }
  if (code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS") || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ssl|tls/i.test(code + message)) {
    return `TLS failed: ${message || code} (a server without TLS? use redis://; a private certificate authority? set NODE_EXTRA_CA_CERTS=ca.pem)`;
  }
  if (code === "ECONNRESET" || /Connection is closed/.test(message)) {
    return "the server closed the connection (a TLS-only port reached with redis://? use rediss://)";
  }
  return message || code || "unknown error";
}

/** A connection check failed: the URL (no password) and the cause, as an InputError (exit 2). */
export function connectionFailure(address: QueueAddress, cause: string, option = "--queue"): InputError {
  return new InputError(option, `cannot use the Redis server at ${address.display}: ${cause}`);
}

/**
 * Connect once to `address`, authenticate, select the database and ask for the server's
 * version; BullMQ needs Redis ≥ 5. Resolves with the version; rejects within about
 * `timeoutMs` with connectionFailure(…) — never hangs, never retries.
 */
export async function checkConnection(address: QueueAddress, opts: { timeoutMs?: number; option?: string } = {}): Promise<{ redisVersion: string }> {
  const { Redis } = await loadDrivers();
  const timeoutMs = opts.timeoutMs ?? CHECK_TIMEOUT_MS;
  const client = new Redis({
    ...baseOptions(address),
    db: 0,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  let lastError: { code?: string; message?: string } | undefined;
  client.on("error", (e: NodeJS.ErrnoException) => (lastError ??= e));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { code: "TIMEOUT" })), timeoutMs + 500);
  });
  try {
    const version = await Promise.race([
      (async () => {
        await client.connect();
        if (address.db !== 0) await client.select(address.db);
        const info = await client.info("server");
        return /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? "unknown";
      })(),
      deadline,
    ]);
    const major = Number(version.split(".")[0]);
    if (Number.isFinite(major) && major < 5) throw connectionFailure(address, `the server runs Redis ${version}; the queue (BullMQ) needs Redis 5 or later`, opts.option);
    return { redisVersion: version };
  } catch (err) {
    if (err instanceof InputError) throw err;
    const e = err as { code?: string; message?: string };
    const cause = e.code === "TIMEOUT" ? `no answer within ${timeoutMs / 1000} s (a firewall, a wrong address, or the server is down)` : describeConnectionError(lastError ?? e, address);
    throw connectionFailure(address, cause, opts.option);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * Watch a long-lived connection's failures: `onLost(cause)` once when it starts failing,
 * `onBack()` once it is ready again. Attaching this also keeps ioredis from printing
 * unhandled error events.
 */
export function watchConnection(
  emitter: { on(event: string, listener: (...args: never[]) => void): unknown },
  address: QueueAddress,
  onLost: (cause: string) => void,
  onBack: () => void,
): void {
  let lost = false;
  emitter.on("error", ((e: NodeJS.ErrnoException) => {
    if (lost) return;
    lost = true;
    onLost(describeConnectionError(e, address));
  }) as never);
  emitter.on("ready", (() => {
    if (!lost) return;
    lost = false;
    onBack();
  }) as never);
}
