import ts from "typescript";
const program = ts.createProgram(["src/index.ts"], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true });
const checker = program.getTypeChecker();
const sf = program.getSourceFile("src/index.ts");
const mod = checker.getSymbolAtLocation(sf);
const exps = checker.getExportsOfModule(mod);
let fns = 0, ok = 0, missing = [];
for (const e of exps) {
  const s = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
  if (!(s.flags & ts.SymbolFlags.Function)) continue;
  fns++;
  const decl = s.declarations[0];
  const tags = ts.getJSDocTags(decl).map(t => t.tagName.text);
  const hasDoc = ts.getJSDocCommentsAndTags(decl).length > 0;
  const params = decl.parameters?.length ?? 0;
  const good = hasDoc && tags.includes("example") && (params === 0 || tags.includes("param")) && tags.includes("returns");
  if (good) ok++; else missing.push(e.name + " " + decl.getSourceFile().fileName.replace(process.cwd()+"/",""));
}
console.log(fns, ok);
console.log(missing.join("\n"));
