// Minimal types for the scs-solver package (it ships none); only what scsReference.ts uses.
declare module "scs-solver" {
  interface ScsSettings { epsAbs: number; epsRel: number; maxIters: number; verbose: number }
  interface ScsModule {
    ScsSettings: new () => ScsSettings;
    setDefaultSettings(s: ScsSettings): void;
    solve(data: unknown, cone: unknown, settings: ScsSettings): { info: { pobj: number; dobj: number; iter: number }; status: string };
  }
  export default function createSCS(): Promise<ScsModule>;
}
