#!/usr/bin/env node
// The splitscape command: runs the compiled CLI (built into dist/ by `npm ci` via `prepare`).
// User errors are reported by main() as one line (exit 2); anything that escapes it is a bug,
// printed with its stack trace for the report.
import { main } from "../dist/cli/main.js";
import { EXIT_INTERNAL } from "../dist/cli/exitCodes.js";

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`splitscape: internal error (a bug, please report it with this trace):\n${err instanceof Error ? err.stack : String(err)}`);
    process.exitCode = EXIT_INTERNAL;
  },
);
