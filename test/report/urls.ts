// Test helper: find the URLs in an HTML page that would make a browser load something.

/** URLs that would make a browser load something: src/href attributes, CSS url(), @import. */
export function loadingUrls(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\b(?:src|href|xlink:href|action|data)\s*=\s*["']?\s*((?:https?:)?\/\/[^"'\s>]*)/gi)) out.push(m[1]);
  for (const m of html.matchAll(/url\(\s*["']?\s*((?:https?:)?\/\/[^)"']*)/gi)) out.push(m[1]);
  for (const m of html.matchAll(/@import\s+[^;]*/gi)) out.push(m[0]);
  if (/<script\b/i.test(html)) out.push("<script>");
  if (/<link\b/i.test(html)) out.push("<link>");
  if (/<iframe\b/i.test(html)) out.push("<iframe>");
  return out;
}
