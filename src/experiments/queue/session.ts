import type { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { loadDrivers, longLivedOptions, watchConnection } from "./connection.js";
import type { QueueAddress } from "./address.js";
import { QUEUE_NAME, type CellJobData, type CellJobResult } from "./jobs.js";

/**
 * The submitter's side of the queue: a BullMQ Queue (adds, states, removals), a QueueEvents
 * listener (completions as they happen) and a plain client for splitscape's own keys. All
 * three reconnect forever; `onLost`/`onBack` hear when the server goes away and comes back
 * (once per outage, not once per connection).
 */
export interface QueueSession {
  address: QueueAddress;
  queue: Queue<CellJobData, CellJobResult>;
  events: QueueEvents;
  redis: Redis;
  close(): Promise<void>;
}

/** The longest wait for a clean close before the connections are cut. */
const CLOSE_TIMEOUT_MS = 3000;

/** Open a session (the address was checked with checkConnection first). */
export async function openSession(address: QueueAddress, notices: { onLost?: (cause: string) => void; onBack?: () => void } = {}): Promise<QueueSession> {
  const { bullmq, Redis } = await loadDrivers();
  const connection = longLivedOptions(address);
  const redis = new Redis(connection);
  const queue = new bullmq.Queue<CellJobData, CellJobResult>(QUEUE_NAME, { connection });
  const events = new bullmq.QueueEvents(QUEUE_NAME, { connection });
  watchConnection(redis, address, (cause) => notices.onLost?.(cause), () => notices.onBack?.());
  // BullMQ re-emits its connections' errors; the plain client above reports the outage.
  queue.on("error", () => undefined);
  events.on("error", () => undefined);
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  return {
    address,
    queue,
    events,
    redis,
    async close() {
      // A clean close waits for pending commands; with the server gone it would wait forever.
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((done) => (timer = setTimeout(done, CLOSE_TIMEOUT_MS)));
      await Promise.race([Promise.allSettled([events.close(), queue.close()]), late]);
      clearTimeout(timer);
      await Promise.allSettled([events.disconnect(), queue.disconnect()]);
      redis.disconnect();
    },
  };
}
