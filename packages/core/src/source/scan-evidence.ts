// Turns a weight-format scan report (scan's ScanReport) into policy evidence: the weight files
// with their detected formats, whether the scan was clean, and the files of unknown format. Structural, so the source module does
// not depend on the scanner's code.
import type { ScanEvidence, WeightFileEvidence } from './evidence.js';

/** The parts of a scan report the policy reads. */
export interface ScanReportLike {
  clean: boolean;
  files: { path: string; format: string; weight: boolean }[];
  findings: { file: string; message: string; kind?: string }[];
}

/**
 * Evidence from a scan report: `files` lists only weight files (a weight format, or a pickle-style
 * name), so config and docs never trip `weights.formats`; every finding is kept for `weights.scan`, and
 * so is every file of format `unknown` (weight or not: no loader the scanner knows accepts it).
 */
export function evidenceFromScan(report: ScanReportLike): {
  files: WeightFileEvidence[];
  scan: ScanEvidence;
} {
  return {
    files: report.files.filter((f) => f.weight).map((f) => ({ path: f.path, format: f.format })),
    scan: {
      clean: report.clean,
      findings: report.findings.map((f) => ({ path: f.file, message: f.message, code: f.kind })),
      unknown: report.files.filter((f) => f.format === 'unknown').map((f) => f.path),
    },
  };
}
