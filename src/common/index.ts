// The public face of common: user errors, the format stamp of written files and the memory budget
// (its size limits are checked before anything is allocated). The plumbing the commands share —
// atomic writes, file-system failures in words, output path checks, text inputs, the size
// estimates and checks — is imported from its module (atomic.ts, fsErrors.ts, outputPath.ts,
// textInput.ts, limits.ts) and is not part of the public API.
export { InputError, InterruptedError } from "./errors.js";
export {
  FORMAT_VERSIONS, FORMAT_METADATA_KEYS, formatStamp, formatStampHtml, formatStampMetadata, readFormat, readFormatMetadata, stamped, stampedFigure, unstamped,
  type FormatFound, type FormatName, type FormatStamp,
} from "./format.js";
export {
  DEFAULT_MAX_MEMORY, MEMORY_ENV, DEFAULT_MAX_SWEEP_CELLS, MAX_TEXT_INPUT_BYTES, parseByteSize, setMemoryBudget, memoryBudget,
} from "./limits.js";
