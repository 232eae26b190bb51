// `node --import ./test/helpers/loadTrace.mjs …`: report on stderr, synchronously, every module
// URL the process resolves ("LOAD url") and, at exit, how many wasm modules or instances it
// created ("WASM n"). Used by test/cli/lazyStart.test.ts to check what start-up loads.
import { register } from "node:module";
import { writeSync } from "node:fs";

let wasm = 0;
for (const key of ["Module", "Instance", "compile", "instantiate"]) {
  WebAssembly[key] = new Proxy(WebAssembly[key], {
    construct(target, args) { wasm++; return Reflect.construct(target, args); },
    apply(target, self, args) { wasm++; return Reflect.apply(target, self, args); },
  });
}
register(new URL("./loadTraceHooks.mjs", import.meta.url));
process.on("exit", () => { writeSync(2, `\nWASM ${wasm}\n`); });
