// The public face of data: the Dataset record, dataset files (JSON, CSV, .npy, .npz) and built-in
// generators. The address syntax (parseAddress, isBuiltinAddress), the format-by-extension rule
// (formatFromPath) and the provenance a writer records (provenance) are the loaders' and the
// CLI's plumbing: imported from their modules, not from here.
export type { Dataset } from "./dataset.js";
export { makeDataset, datasetShape } from "./build.js";
export { labels, hasPlusMinusLabels, classCounts } from "./labels.js";
export { parseJsonDataset, datasetToJson, datasetToJsonText, type DatasetJson } from "./json.js";
export { parseCsvDataset, datasetToCsv, type CsvOptions } from "./csv.js";
export { loadDataset, saveDataset, datasetToText, type DatasetFormat, type LoadOptions } from "./files.js";
export { loadNpyDataset, loadNpzDataset, npyDataset, npzDataset, datasetToNpy, datasetToNpz, type NumpyDatasetOptions } from "./numpy.js";
export { BUILTIN_PREFIX } from "./address.js";
export {
  resolveBuiltin,
  makeBuiltin,
  builtinTeacher,
  builtinTeacherNet,
  listGenerators,
  type ResolvedBuiltin,
  type GeneratorInfo,
  type ParamInfo,
} from "./builtin.js";
export { GENERATORS, findGenerator } from "./registry.js";
export type { GeneratorSpec, GeneratorTask } from "./generators/types.js";
export type { ParamSpec, ParamValue, ParamValues } from "./params.js";
export { activate, teacherOutput, type TeacherNet, type TeacherActivation } from "./generators/teacherNet.js";
