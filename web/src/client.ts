// The page's side of the worker: one module Web Worker running the engine, reached through
// comlink. Uploaded files (data and models) are also kept in localStorage (up to 2 MB each; bytes
// as base64) so that a reload of a URL naming `upload:NAME@HASH` finds them again in this browser.
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

/** A remembered upload: text, or bytes in base64. */
type Saved = { kind: "data" | "model"; name: string; text?: string; base64?: string };

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function remember(address: string, saved: Saved): void {
  const size = saved.text?.length ?? saved.base64?.length ?? 0;
  if (size > STORE_MAX) return;
  try {
    localStorage.setItem(STORE_PREFIX + address, JSON.stringify(saved));
  } catch {
    // Storage full or disabled: the upload works for this page only.
  }
}

/** Is a data file of this name read as bytes (NumPy) rather than text? */
function isBinaryData(name: string): boolean {
  return /\.np[yz]$/i.test(name);
}

async function sendData(name: string, content: string | Uint8Array): Promise<DataSummary> {
  return typeof content === "string" ? getEngine().upload(name, content) : getEngine().uploadBytes(name, content);
}

/** Upload a data file (CSV/JSON as text, .npy/.npz as bytes) to the worker and remember it; returns its summary. */
export async function uploadFile(file: File): Promise<DataSummary> {
  const binary = isBinaryData(file.name);
  const content = binary ? new Uint8Array(await file.arrayBuffer()) : await file.text();
  const summary = await sendData(file.name, content);
  remember(summary.source, typeof content === "string" ? { kind: "data", name: file.name, text: content } : { kind: "data", name: file.name, base64: toBase64(content) });
  return summary;
}

/** Upload a model file (.json or .safetensors) and remember it; returns its address. */
export async function uploadModelFile(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const address = await getEngine().uploadModel(file.name, bytes);
  remember(address, { kind: "model", name: file.name, base64: toBase64(bytes) });
  return address;
}

/** Before using `source` (a data set or a model): re-upload a remembered file if the worker has not seen it. */
export async function ensureData(source: string): Promise<void> {
  if (!source.startsWith("upload:")) return;
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(STORE_PREFIX + source);
  } catch {
    raw = null;
  }
  if (raw === null) return; // the engine then says the file must be dropped again
  const saved = JSON.parse(raw) as Saved;
  const content = saved.text ?? fromBase64(saved.base64 ?? "");
  if (saved.kind === "model") await getEngine().uploadModel(saved.name, content as Uint8Array);
  else await sendData(saved.name, content);
}

/** The message of an error from the worker (an InputError's is the CLI's wording). */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
