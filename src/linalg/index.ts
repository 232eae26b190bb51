// The public face of linalg: float64 row-major matrices and the kernels over them.
export * from "./matrix.js";
export * from "./gemm.js";
