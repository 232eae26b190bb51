// The public face of io: the binary and text formats splitscape exchanges with the NumPy/PyTorch
// world — safetensors (read, write), NumPy .npy (streaming read, write) and .npz (ZIP), the layer
// lists of a torch.nn.Sequential (ARCH strings, print(model) text) — and the IDX files of the
// MNIST family. A leaf: it imports only common/; numeric arrays come out as float64. The plumbing
// under them (ZIP members and CRC-32, element widening and message helpers in tensor.ts, raw .npy
// encoding, reading a file's bytes) is imported from its module, not from here.
export { HOST_LITTLE_ENDIAN, type ElementKind, type ElementType, type Tensor } from "./tensor.js";
export {
  METADATA_ARCH, METADATA_INPUT_SHAPE, SAFETENSORS_DTYPES, SAFETENSORS_MAX_HEADER, encodeSafetensors, parseSafetensors,
  readSafetensors, writeSafetensors, type SafetensorsFile, type TensorToWrite, type WriteDtype,
} from "./safetensors.js";
export { NPY_MAX_ELEMENTS, encodeNpy, parseNpy, parseNpyHeader, readNpy, type NpyHeader, type NpyReadOptions } from "./npy.js";
export { encodeNpz, parseNpz, readNpz, type NpzArchive } from "./npz.js";
export { parseIdx, readIdx, type IdxArray } from "./idx.js";
export {
  archToken, parseArch, parseInputShape, parseTorchRepr,
  type ActivationSpec, type AvgPoolSpec, type ConvSpec, type FlattenSpec, type IdentitySpec, type LayerList, type LayerSpec,
  type LinearSpec,
} from "./layers.js";
