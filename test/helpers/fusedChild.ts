// Run by test/linalg/fused.test.ts in a child process (its SPLITSCAPE_FUSED chosen there, read
// once per process): prints as JSON which builds the loader chose, the fusion probe of
// fusedProbe, a 37×29×53 product and a two-layer logistic gradient, all on the wasm kernels.
import { gemmRawWasm } from "../../src/linalg/gemm.js";
import { fusedKernels } from "../../src/linalg/kernels/wasm.js";
import { fusedProbe, fusedCaseGradient, fusedCaseProduct } from "./fused.js";

const probe = fusedProbe(gemmRawWasm);
const product = fusedCaseProduct(gemmRawWasm);
const gradient = fusedCaseGradient();
process.stdout.write(JSON.stringify({ fused: fusedKernels(), probe, product: Array.from(product), gradient: Array.from(gradient) }));
