/**
 * `splitscape lab [--port P] [--open] [--json]`: serve the built web lab (dist/web) on
 * 127.0.0.1 with cross-origin isolation headers, until Ctrl-C (exit 130). The page runs the
 * library in a Web Worker; the server only serves files (src/cli/labServer.ts).
 */
import { spawn } from "node:child_process";
import type { Command } from "commander";
import { LAB_DEFAULT_PORT, labRoot, startLabServer } from "../labServer.js";
import { EXIT_INTERRUPTED } from "../exitCodes.js";
import { parseIntOption, printJson, printLines } from "../io.js";

interface LabOptions {
  port?: string;
  open?: boolean;
  json?: boolean;
}

/** Open `url` in the desktop's browser (best effort: a failure is reported, never fatal). */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === "darwin" ? ["open", [url]]
    : process.platform === "win32" ? ["cmd", ["/c", "start", "", url]]
      : ["xdg-open", [url]];
  try {
    const child = spawn(cmd, args, { stdio: "ignore", detached: true });
    child.on("error", () => process.stderr.write(`splitscape lab: could not open a browser (${cmd}); open ${url} yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`splitscape lab: could not open a browser; open ${url} yourself\n`);
  }
}

async function labCommand(o: LabOptions): Promise<void> {
  const port = parseIntOption("--port", o.port, 0, 65535) ?? LAB_DEFAULT_PORT;
  const root = labRoot();
  const server = await startLabServer(root, port);
  if (o.json) printJson({ url: server.url, port: server.port, root, crossOriginIsolated: true });
  else printLines(`splitscape lab: serving ${root} at ${server.url} (127.0.0.1 only, cross-origin isolated); Ctrl-C stops`);
  if (o.open) openBrowser(server.url);
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      process.exitCode = EXIT_INTERRUPTED;
      void server.close().then(done);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** Register `splitscape lab`. */
export function registerLab(program: Command): void {
  program
    .command("lab")
    .description("serve the web lab on 127.0.0.1 (the library runs in the page, in a Web Worker)")
    .option("--port <P>", `port on 127.0.0.1 (0: any free port)`, String(LAB_DEFAULT_PORT))
    .option("--open", "open the lab in the desktop's browser")
    .option("--json", "print one JSON object (url, port, root) once listening")
    .action((o: LabOptions) => labCommand(o));
}
