// The shapes a scan reports: one entry per file (format, verdict, imports, findings) and the whole report.
import type { WeightFormat } from './detect-format.js';

/** A global a pickle imports, as the report lists it. */
export interface ReportedImport {
  /** `module.name` (`?` parts when the operands were not constant strings) */
  import: string;
  /** absolute byte offset of the importing opcode in the file, or in `member` when set */
  offset: number;
  opcode: string;
  /** entry of a ZIP archive the pickle lives in (`archive/data.pkl`) */
  member?: string;
  /** allowed (safe list or --allow), dangerous (runs code, known list) or unknown (flagged too) */
  class: 'allowed' | 'dangerous' | 'unknown';
}

/** Something that makes a file fail the scan. */
export interface ScanFinding {
  /** model-relative POSIX path */
  file: string;
  kind: 'unsafe-import' | 'unresolved-import' | 'malformed' | 'invalid-header' | 'unsupported' | 'polyglot';
  /** `module.name` for import findings */
  import?: string;
  /** byte offset in the file (or in `member`) */
  offset?: number;
  member?: string;
  /** one line naming the file, the offset and the import or problem */
  message: string;
}

/** The scan of one file. */
export interface ScannedFile {
  /** model-relative POSIX path (for a REF: the layer's file path annotation) */
  path: string;
  size: number;
  format: WeightFormat;
  /** a weight format, or a name pickle-based weights use (.bin .pt .pth .ckpt .pkl ...) */
  weight: boolean;
  verdict: 'clean' | 'flagged';
  /** every global the file's pickles import, in stream order (empty for other formats) */
  imports: ReportedImport[];
  findings: ScanFinding[];
  /**
   * true when every byte this verdict rests on was checked against a digest (a REF layer fetched whole),
   * false for a REF layer judged from its first bytes; always true for local files (nothing to check against).
   */
  verified: boolean;
}

/** What `scan` found. */
export interface ScanReport {
  /** the directory, file or reference scanned */
  source: string;
  /** no finding in any file */
  clean: boolean;
  /** sorted by path */
  files: ScannedFile[];
  /** every file's findings, in file order */
  findings: ScanFinding[];
}
