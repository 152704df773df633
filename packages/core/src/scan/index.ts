// @modelseal/core/scan: the building blocks behind `scan` (format detection, the pickle opcode
// scanner, safetensors header validation, the safe-globals list).
export { scan, type ScanOptions } from './scan-model.js';
export type { ScanReport, ScannedFile, ScanFinding, ReportedImport } from './scan-report.js';
export { detectFormat, DETECT_PREFIX_BYTES, type WeightFormat, type Detection } from './detect-format.js';
export { parsePickle, type PickleImport, type PickleParse } from './pickle-scan.js';
export { FileByteReader, StreamByteReader, type ByteReader } from './byte-reader.js';
export { SAFE_GLOBALS, classifyImport, matchesGlobal, type ImportClass } from './safe-globals.js';
export {
  validateSafetensorsHeader,
  safetensorsHeaderLength,
  SAFETENSORS_MAX_HEADER,
  type HeaderProblem,
} from './safetensors.js';
