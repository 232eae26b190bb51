#!/usr/bin/env node
// The splitscape command: runs the compiled CLI (built into dist/ by `npm ci` via `prepare`).
import { main } from "../dist/cli/main.js";

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.stack : String(err)); process.exitCode = 1; },
);
