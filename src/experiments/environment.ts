import { cpus, platform, arch, release } from "node:os";
import { gemmBackend } from "../linalg/index.js";
import { fusedKernels } from "../linalg/kernels/wasm.js";
import { VERSION } from "../version.js";

/** Where the numbers of a run were computed: shown in reports, stored in run.json. */
export interface Environment {
  splitscape: string;
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  gemm: string;
  /** "fused" when the wasm kernels' multiply-adds are fused (relaxed SIMD), else "separate". */
  multiplyAdd: string;
  date: string;
  [key: string]: string | number;
}

/** The current environment (date = now, ISO 8601 UTC). */
export function currentEnvironment(now: Date = new Date()): Environment {
  const c = cpus();
  return {
    splitscape: VERSION,
    node: process.version,
    platform: `${platform()} ${release()} (${arch()})`,
    cpu: c[0]?.model?.trim() || "unknown",
    cores: c.length,
    gemm: gemmBackend(),
    multiplyAdd: gemmBackend() !== "ts" && fusedKernels() ? "fused" : "separate",
    date: now.toISOString(),
  };
}
