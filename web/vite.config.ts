// Vite build of the web lab: web/ → dist/web (served by `splitscape lab`, or any static host).
// The library (src/*/index.ts) runs in a module Web Worker. Its Node-only corners (file I/O,
// the PNG rasteriser) are never called in the page; they resolve to shims that throw if they
// ever are, so the bundle has no Node built-ins and downloads nothing at run time.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here("."),
  base: "./",
  publicDir: false,
  resolve: {
    alias: [
      { find: /^node:(fs|path|os|url|crypto|worker_threads|child_process|zlib|module)$/, replacement: here("./shims/node.ts") },
      { find: /^@resvg\/resvg-js$/, replacement: here("./shims/resvg.ts") },
      { find: /^highs$/, replacement: here("./shims/highs.ts") },
    ],
  },
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  // The bundler's timing report is noise in `npm run build` (the worker transform is the slow part).
  worker: { format: "es", rolldownOptions: { checks: { bundlerTimings: false } } },
  build: {
    outDir: here("../dist/web"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 4096,
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    host: "127.0.0.1",
    headers: {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
    },
  },
});
