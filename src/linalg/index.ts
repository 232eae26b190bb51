// The public face of linalg: float64 row-major matrices and the kernels over them.
export { zeros, identity, matrix, fromRows, toRows, clone, transpose, column, rowView, type Matrix } from "./matrix.js";
export {
  gemm, matmul, gram, gemv, gemmBackend, gemmDispatch, gemmThreads, GEMM_WASM_MIN_WORK, GEMM_WASM_MAX_BYTES,
  GEMM_PARALLEL_MIN_WORK, type GemmBackend,
} from "./gemm.js";
export { threadCount, MAX_THREADS } from "./kernels/pool.js";
export * from "./blas.js";
export { solveTriangular, SingularMatrixError, type TriangularOptions } from "./triangular.js";
export {
  cholesky, choleskyInPlace, choleskySolve, choleskyLogDet, choleskyWithShift, NotPositiveDefiniteError,
  type ShiftedCholesky, type ShiftedCholeskyOptions,
} from "./cholesky.js";
export { qr, qrR, qrQ, qrApplyQ, qrApplyQt, qrPivoted, nullSpace, type QR, type PivotedQR, type PivotedQROptions } from "./qr.js";
export { lstsq, type LstsqOptions, type LstsqResult, type LstsqMatrixResult } from "./lstsq.js";
export { nnls, type NnlsOptions, type NnlsResult } from "./nnls.js";
export { eigh, eigvalsh, eighCheck, type EighOptions, type EighResult, type EighCheck } from "./eigh.js";
export { svd, singularValues, rank, type SvdOptions, type SvdResult } from "./svd.js";
export { lanczos, type LanczosOptions, type LanczosResult, type SymmetricMatvec } from "./lanczos.js";
export { distance, cosine, directionDistance, sliceNorm } from "./vectors.js";
// The slow reference oracles (gemmReference in gemm.ts; dot2, accurateProduct, jacobiEigenvalues
// in reference.ts) check the kernels in tests and the linalg-check experiment; they are not part
// of the public API and are imported from their modules directly. So are the raw-offset kernels
// the other layers build on — gemmRaw (and its two engines gemmRawTs, gemmRawWasm), gemvRaw,
// trsvRaw, transposeRaw, the in-place factor updates choleskyAppendRow/choleskyDeleteRow: a
// program outside splitscape calls their Matrix-level forms (gemm, gemv, solveTriangular, …).
