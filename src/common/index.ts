// The public face of common: user errors, file-system failures in words, atomic writes, output
// path checks, text inputs and the size limits every command checks before allocating.
export { InputError, InterruptedError, isFiniteNumber } from "./errors.js";
export { errnoCode, isSystemError, pathKind, nearestExistingAncestor, isWritableFolder, writeFailureCause, writeError, readError, describeSystemError } from "./fsErrors.js";
export { ensureFolder, writeFileAtomic } from "./atomic.js";
export {
  FORMAT_VERSIONS, FORMAT_METADATA_KEYS, formatStamp, formatStampHtml, formatStampMetadata, readFormat, readFormatMetadata, stamped, stampedFigure, unstamped,
  type FormatFound, type FormatName, type FormatStamp,
} from "./format.js";
export { canonicalPath, sameFile, checkOutputFile, checkOutputFolder, type OutputFileCheck } from "./outputPath.js";
export { readTextInput, stripBom, type TextInputOptions } from "./textInput.js";
export {
  DEFAULT_MAX_MEMORY, MEMORY_ENV, DEFAULT_MAX_SWEEP_CELLS, MAX_TEXT_INPUT_BYTES, parseByteSize, setMemoryBudget, memoryBudget,
  formatBytes, memoryRaiseHint, checkMemory, trainingBytes, trainingFormula, denseHessianBytes, checkDenseHessian, datasetBytes,
  checkSweepCells, checkKktCertificate, checkSampledPatterns,
} from "./limits.js";
