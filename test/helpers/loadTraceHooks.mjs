// Loader-thread half of loadTrace.mjs: print each resolved URL on stderr.
import { writeSync } from "node:fs";

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  writeSync(2, `\nLOAD ${result.url}\n`);
  return result;
}
