// The page's side of the worker: one module Web Worker running the engine, reached through
// comlink. Uploaded files are also kept in localStorage (up to 2 MB each) so that a reload of
// a URL naming `upload:NAME@HASH` finds them again in this browser.
import * as Comlink from "comlink";
import type { LabEngine } from "./engine/engine.js";
import type { DataSummary } from "./engine/data.js";

export type Engine = Comlink.Remote<LabEngine>;

const STORE_PREFIX = "splitscape-lab:";
const STORE_MAX = 2 * 1024 * 1024;

let engine: Engine | null = null;

/** The engine (the worker is started on first use). */
export function getEngine(): Engine {
  if (engine === null) {
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "splitscape-lab" });
    engine = Comlink.wrap<LabEngine>(worker);
  }
  return engine;
}

/** Upload a file's text to the worker (and remember it for reloads); returns its summary. */
export async function uploadFile(name: string, text: string): Promise<DataSummary> {
  const summary = await getEngine().upload(name, text);
  if (text.length <= STORE_MAX) {
    try {
      localStorage.setItem(STORE_PREFIX + summary.source, JSON.stringify({ name, text }));
    } catch {
      // Storage full or disabled: the upload works for this page only.
    }
  }
  return summary;
}

/** Before using `source`: re-upload a remembered file if the worker has not seen it. */
export async function ensureData(source: string): Promise<void> {
  if (!source.startsWith("upload:")) return;
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(STORE_PREFIX + source);
  } catch {
    saved = null;
  }
  if (saved === null) return; // the engine then says the file must be dropped again
  const { name, text } = JSON.parse(saved) as { name: string; text: string };
  await getEngine().upload(name, text);
}

/** The message of an error from the worker (an InputError's is the CLI's wording). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
