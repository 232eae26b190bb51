/**
 * The functions exported from the root ("splitscape", src/index.ts) with what their doc comments
 * lack and their @example code, read through the TypeScript compiler API as TypeDoc reads them.
 * Shared by test/package/rootDocs.test.ts (the tags, and every example type-checks) and
 * test/package/rootExamples.test.ts (every example runs).
 */
import { join } from "node:path";
import ts from "typescript";

/** The repository's root folder. */
export const repo = new URL("../..", import.meta.url).pathname;

/** Compiler options under which the examples type-check: imports of "splitscape" resolve to src/index.ts. */
export const exampleCompilerOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], types: ["node"], strict: true, skipLibCheck: true, noEmit: true, esModuleInterop: true,
  resolveJsonModule: true, baseUrl: repo, paths: { splitscape: ["./src/index.ts"] },
};

export interface RootFunction { name: string; missing: string[]; examples: string[] }

/** Every function exported from src/index.ts with what its doc comment lacks and its example code. */
export function rootFunctions(): RootFunction[] {
  const program = ts.createProgram([join(repo, "src", "index.ts")], exampleCompilerOptions);
  const checker = program.getTypeChecker();
  const root = checker.getSymbolAtLocation(program.getSourceFile(join(repo, "src", "index.ts"))!)!;
  const out: RootFunction[] = [];
  for (const exported of checker.getExportsOfModule(root)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(symbol.flags & ts.SymbolFlags.Function)) continue;
    const decl = symbol.declarations!.find(ts.isFunctionDeclaration)!;
    const tags = ts.getJSDocTags(decl);
    const names = (kind: string) => tags.filter((t) => t.tagName.text === kind);
    const paramNames = new Set(names("param").map((t) => (t as ts.JSDocParameterTag).name.getText()));
    const missing: string[] = [];
    if (ts.getJSDocCommentsAndTags(decl).length === 0) missing.push("doc comment");
    for (const p of decl.parameters) {
      const name = ts.isIdentifier(p.name) ? p.name.text : undefined;
      if (name !== undefined && !paramNames.has(name)) missing.push(`@param ${name}`);
      if (name === undefined && paramNames.size === 0) missing.push("@param (destructured)");
    }
    const signature = checker.getSignatureFromDeclaration(decl)!;
    const returns = checker.typeToString(signature.getReturnType());
    if (returns !== "void" && returns !== "Promise<void>" && names("returns").length === 0) missing.push("@returns");
    const examples = names("example").map((t) => ts.getTextOfJSDocComment(t.comment) ?? "");
    if (examples.length === 0) missing.push("@example");
    out.push({ name: exported.name, missing, examples });
  }
  return out;
}


/** The code of an @example's ```ts block, or null when it has none. */
export function exampleCode(text: string): string | null {
  return /```ts\n([\s\S]*?)```/.exec(text)?.[1] ?? null;
}
