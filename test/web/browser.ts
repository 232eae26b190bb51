// A real Chromium for the lab's browser tests and benchmark: Debian's `chromium` (found via
// CHROMIUM_PATH or PATH), driven by playwright-core (which downloads nothing), headless, with a
// fresh profile and every background service that could reach the network turned off.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** The flags of every launch (no sandbox: CI runs as root). */
export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions", "--mute-audio",
];

/** CHROMIUM_PATH if set, else the first chromium on PATH; null when there is none. */
export function findChromium(): string | null {
  const env = process.env.CHROMIUM_PATH;
  if (env !== undefined && env !== "") return existsSync(env) ? env : null;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

/** A headless Chromium context with a fresh user-data-dir (removed by close()). */
export async function launchChromium(executablePath: string, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "splitscape-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath, args: CHROMIUM_ARGS, headless: true, viewport });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
