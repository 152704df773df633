// Scans one file on disk the way the loaders that could open it read it: every loader that accepts the
// content by its magic number, plus pickle.load, which reads any file from byte 0 (so every file is
// parsed as a pickle too; a non-pickle stops within its first bytes). More than one loader is a
// polyglot, reported as such. Then each loader's check runs (pickles parsed in full, ZIP directories,
// NumPy and safetensors headers). Reads, never loads.
import { open, type FileHandle } from 'node:fs/promises';
import { ModelsealError } from '../errors.js';
import { FileByteReader } from './byte-reader.js';
import {
  checkNameMatches,
  checkNumpy,
  checkPickles,
  checkSafetensors,
  checkZip,
  isTorchLegacy,
  type CheckResult,
} from './content-checks.js';
import {
  DETECT_PREFIX_BYTES,
  isPickleName,
  isWeight,
  magicFormats,
  plainFormat,
  type WeightFormat,
} from './detect-format.js';
import { safetensorsHeaderLength } from './safetensors.js';
import type { ScanFinding, ScannedFile } from './scan-report.js';

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
    return await scanOpenFile(handle, absPath, name, allowGlobals);
  } catch (e) {
    if (e instanceof ModelsealError) throw e;
    throw new ModelsealError('UNREADABLE', `cannot read ${name} while scanning: ${(e as Error).message}`, {
      cause: e,
    });
  } finally {
    await handle.close();
  }
}

async function scanOpenFile(
  handle: FileHandle,
  absPath: string,
  name: string,
  allowGlobals: readonly string[],
): Promise<ScannedFile> {
  const { size } = await handle.stat();
  const prefix = Buffer.alloc(Math.min(size, DETECT_PREFIX_BYTES));
  await handle.read(prefix, 0, prefix.length, 0);
  const ctx = { file: name, allowGlobals };
  const loaders = magicFormats(prefix, size);
  const plain = plainFormat(prefix);
  // pickle.load reads any file from byte 0; text counts only as a whole pickle (or under a pickle name)
  const pickled = await checkPickles(new FileByteReader(handle, 0, size), ctx, {
    torchLegacy: isTorchLegacy(prefix),
  });
  const pickleRead = pickled.pickle ?? { complete: false, loadable: false };
  if (pickleRead.complete || (pickleRead.loadable && (plain === 'unknown' || isPickleName(name))))
    loaders.push('pickle');

  let format: WeightFormat =
    loaders.length > 1
      ? 'polyglot'
      : loaders.length === 1
        ? loaders[0]
        : isPickleName(name) && plain === 'unknown'
          ? 'pickle' // a pickle-named binary no loader accepts: its pickle findings say why
          : plain;
  const result: CheckResult = { imports: [], findings: [] };
  const add = (r: CheckResult): void => {
    result.imports.push(...r.imports);
    result.findings.push(...r.findings);
  };
  if (format === 'polyglot') result.findings.push(polyglotFinding(name, loaders));
  if (loaders.includes('pickle') || format === 'pickle') add(pickled);
  if (loaders.includes('safetensors')) {
    const length = safetensorsHeaderLength(prefix, size) ?? 0;
    const header = Buffer.alloc(length);
    await handle.read(header, 0, length, 8);
    add(checkSafetensors(header, size, ctx));
  }
  if (loaders.includes('numpy')) add(await checkNumpy(new FileByteReader(handle, 0, size), ctx));
  if (loaders.includes('zip')) {
    const zipped = await checkZip(handle, absPath, size, ctx);
    add(zipped);
    if (zipped.torch && format === 'zip') format = 'pytorch-zip';
  }
  if (format !== 'polyglot') result.findings.push(...checkNameMatches(name, format));
  return {
    path: name,
    size,
    format,
    weight: isWeight(name, format),
    verdict: result.findings.length > 0 ? 'flagged' : 'clean',
    imports: result.imports,
    findings: result.findings,
    verified: true,
  };
}

function polyglotFinding(file: string, loaders: readonly WeightFormat[]): ScanFinding {
  return {
    file,
    kind: 'polyglot',
    offset: 0,
    message: `${file}: is a polyglot: ${loaders.join(' and ')} loaders all accept it, so what runs depends on which one opens it`,
  };
}
