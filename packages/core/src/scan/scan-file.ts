// Scans one file on disk: identify it from its first bytes, then run the check its format needs
// (pickles parsed in full, ZIP directories, NumPy and safetensors headers). Reads, never loads.
import { open } from 'node:fs/promises';
import { ModelsealError } from '../errors.js';
import { FileByteReader } from './byte-reader.js';
import {
  checkNameMatches,
  checkNumpy,
  checkPickles,
  checkSafetensors,
  checkZip,
  type CheckResult,
} from './content-checks.js';
import { detectFormat, DETECT_PREFIX_BYTES } from './detect-format.js';
import type { ScannedFile } from './scan-report.js';

/** Scan `absPath`, reported as `name`; extra allowed globals in `allowGlobals`. */
export async function scanFile(
  absPath: string,
  name: string,
  allowGlobals: readonly string[],
): Promise<ScannedFile> {
  let handle;
  try {
    handle = await open(absPath, 'r');
  } catch (e) {
    throw new ModelsealError('UNREADABLE', `cannot open ${name} for scanning: ${(e as Error).message}`, {
      cause: e,
    });
  }
  try {
    const { size } = await handle.stat();
    const prefix = Buffer.alloc(Math.min(size, DETECT_PREFIX_BYTES));
    await handle.read(prefix, 0, prefix.length, 0);
    const detected = detectFormat(prefix, name, size);
    const ctx = { file: name, allowGlobals };
    let result: CheckResult = { imports: [], findings: [] };
    let format = detected.format;
    if (format === 'safetensors' && typeof detected.needs === 'number') {
      const header = Buffer.alloc(detected.needs - 8);
      await handle.read(header, 0, header.length, 8);
      result = checkSafetensors(header, size, ctx);
    } else if (format === 'pickle') {
      result = await checkPickles(new FileByteReader(handle, 0, size), ctx);
    } else if (format === 'numpy') {
      result = await checkNumpy(new FileByteReader(handle, 0, size), ctx);
    } else if (format === 'zip') {
      result = await checkZip(handle, absPath, size, ctx);
      if (result.torch) format = 'pytorch-zip';
    }
    result.findings.push(...checkNameMatches(name, format));
    return {
      path: name,
      size,
      format,
      weight: detected.weight || format === 'pytorch-zip',
      verdict: result.findings.length > 0 ? 'flagged' : 'clean',
      imports: result.imports,
      findings: result.findings,
      verified: true,
    };
  } catch (e) {
    if (e instanceof ModelsealError) throw e;
    throw new ModelsealError('UNREADABLE', `cannot read ${name} while scanning: ${(e as Error).message}`, {
      cause: e,
    });
  } finally {
    await handle.close();
  }
}
