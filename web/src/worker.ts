// The Web Worker: the library runs here (wasm kernels loaded synchronously from their embedded
// bytes, as in Node), so the page never freezes. comlink turns the page's calls into messages.
import * as Comlink from "comlink";
import { LabEngine } from "./engine/engine.js";

Comlink.expose(new LabEngine());
