// Shared machinery of the two live views (Train, Split): a requestAnimationFrame loop that asks
// the worker for one chunk at a time (never more than one request in flight, so the page keeps
// its frame rate whatever the chunk costs), and growing curve columns.
import { useEffect, useRef } from "preact/hooks";

/** Run `tick` once per animation frame while `running` (skipping frames while one is pending). */
export function useFrameLoop(running: boolean, tick: () => Promise<void>, deps: unknown[]): void {
  const busy = useRef(false);
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!running) return;
    let alive = true;
    let raf = 0;
    const loop = (): void => {
      if (!alive) return;
      if (!busy.current) {
        busy.current = true;
        latest.current().finally(() => { busy.current = false; });
      }
      raf = requestAnimationFrame(loop);
    };
    raf = requestAnimationFrame(loop);
    return () => { alive = false; cancelAnimationFrame(raf); };
  }, [running, ...deps]);
}

/** A frame of a live session: its step and why it stopped by itself (null while it can go on). */
export interface LiveFrame {
  step: number;
  stopped: { stop: string; reason: string } | null;
}

/**
 * The pacing of a live view: one chunk per animation frame while running (the URL's `at`
 * follows at most once a second), and once paused — also after a chunk that was in flight at
 * the pause — `at` names the step reached. `advance` asks the worker for one chunk; it returns
 * null (and stops the loop) on an error.
 */
export function useLivePacing<F extends LiveFrame>(opts: {
  running: boolean; setRunning: (r: boolean) => void; frame: F | null; at: unknown; speed: unknown;
  setAt: (step: number) => void; call: () => Promise<F>; take: (f: F) => void; fail: (message: string) => void;
}): () => Promise<F | null> {
  const lastUrl = useRef(0);
  const advance = async (): Promise<F | null> => {
    try {
      const f = await opts.call();
      opts.take(f);
      if (f.stopped !== null) opts.setRunning(false);
      return f;
    } catch (e) {
      opts.fail(e instanceof Error ? e.message : String(e));
      opts.setRunning(false);
      return null;
    }
  };
  useFrameLoop(opts.running, async () => {
    const f = await advance();
    if (f !== null && performance.now() - lastUrl.current > 1000) {
      lastUrl.current = performance.now();
      opts.setAt(f.step);
    }
  }, [opts.speed]);
  useEffect(() => {
    if (!opts.running && opts.frame !== null && opts.frame.step !== opts.at) opts.setAt(opts.frame.step);
  }, [opts.running, opts.frame]);
  return advance;
}

/** Columns of a curve that grows frame by frame. */
export class Columns<K extends string> {
  readonly cols: Record<K, number[]>;
  constructor(keys: readonly K[]) {
    this.cols = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<K, number[]>;
  }
  clear(): void {
    for (const k in this.cols) this.cols[k].length = 0;
  }
  push(row: Record<K, number>): void {
    for (const k in this.cols) this.cols[k].push(row[k]);
  }
}

/** Download bytes as a file. */
export function downloadBytes(name: string, bytes: Uint8Array<ArrayBuffer>, type = "application/octet-stream"): void {
  downloadBlob(name, new Blob([bytes], { type }));
}

function downloadBlob(name: string, blob: Blob): void {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** Download `value` as a JSON file. */
export function downloadJson(name: string, value: unknown): void {
  downloadBlob(name, new Blob([`${JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v), 2)}\n`], { type: "application/json" }));
}
