// The per-format checks, independent of where the bytes come from: pickles (one or several in a row),
// NumPy .npy headers (object arrays hold a pickle), ZIP archives (torch zip: archive/data.pkl; .npz),
// and safetensors headers. Each returns the imports it saw and its findings.
import type { FileHandle } from 'node:fs/promises';
import type { ByteReader } from './byte-reader.js';
import { StreamByteReader } from './byte-reader.js';
import { readNpyHeader } from './numpy-header.js';
import { parsePickle } from './pickle-scan.js';
import { classifyImport } from './safe-globals.js';
import { validateSafetensorsHeader } from './safetensors.js';
import type { ReportedImport, ScanFinding } from './scan-report.js';
import { listZipEntries, openZipEntry, ZipFormatError } from './zip-entries.js';

/** What a check found in one file. */
export interface CheckResult {
  imports: ReportedImport[];
  findings: ScanFinding[];
  /** set by the ZIP check when the archive is a torch checkpoint */
  torch?: boolean;
  /**
   * set by the pickle check: `complete` when the first pickle ends in STOP, `loadable` when pickle.load
   * would do something with the file (complete, or it imported before stopping, or the scanner's limits
   * stopped it, which is not a verdict).
   */
  pickle?: { complete: boolean; loadable: boolean };
}

/** Where the bytes are and which globals are allowed on top of the safe list. */
export interface CheckContext {
  file: string;
  member?: string;
  allowGlobals: readonly string[];
}

const where = (ctx: CheckContext, offset: number): string =>
  `${ctx.file}${ctx.member ? `:${ctx.member}` : ''} at byte ${offset}`;

/** The first pickle torch.save's legacy format writes: protocol 2, LONG1 of torch's MAGIC_NUMBER, STOP. */
const TORCH_LEGACY_MAGIC = Buffer.from('80028a0a6cfc9c46f9206aa850192e', 'hex');
/** torch's _legacy_load unpickles five pickles (magic, protocol, sys info, objects, storage keys), then raw storages. */
const TORCH_LEGACY_PICKLES = 5;

/** Whether `prefix` (a file's first bytes) starts like torch's legacy (non-zip) format. */
export function isTorchLegacy(prefix: Buffer): boolean {
  return prefix.subarray(0, TORCH_LEGACY_MAGIC.length).equals(TORCH_LEGACY_MAGIC);
}

/** How the pickles of a file are read. */
export interface PickleReading {
  /** the file is in torch's legacy format: exactly five pickles are read, the rest is raw storage */
  torchLegacy?: boolean;
}

/**
 * Parse the pickle at the reader's position and every pickle that follows it, whatever its first opcode
 * (legacy torch files hold five in a row, some writers more). Reading goes on while each pickle ends in
 * STOP and bytes remain. A later "pickle" that fails before importing anything is trailing data (the
 * loader that would read it stops there too, having imported nothing); one that imported something, the
 * first one failing, or any stop caused by the scanner's own limits is a finding.
 */
export async function checkPickles(
  reader: ByteReader,
  ctx: CheckContext,
  reading: PickleReading = {},
): Promise<CheckResult> {
  const out: CheckResult = { imports: [], findings: [] };
  for (let index = 0; ; index++) {
    // persistent ids are accepted (torch's unpicklers have a persistent_load): a superset of what loads
    const parsed = await parsePickle(reader, { persistentLoad: true });
    for (const imp of parsed.imports) {
      const qualified = `${imp.module}.${imp.name}`;
      const cls = imp.resolved ? classifyImport(imp.module, imp.name, ctx.allowGlobals) : 'dangerous';
      out.imports.push({
        import: qualified,
        offset: imp.offset,
        opcode: imp.opcode,
        ...(ctx.member ? { member: ctx.member } : {}),
        class: cls,
      });
      if (cls === 'allowed') continue;
      out.findings.push({
        file: ctx.file,
        kind: imp.resolved ? 'unsafe-import' : 'unresolved-import',
        import: qualified,
        offset: imp.offset,
        ...(ctx.member ? { member: ctx.member } : {}),
        message: imp.resolved
          ? `${where(ctx, imp.offset)}: pickle imports ${qualified} (${imp.opcode}${cls === 'dangerous' ? ', runs code' : ', not on the safe list'})`
          : `${where(ctx, imp.offset)}: pickle ${imp.opcode} imports a global whose name is computed (${imp.name === '?' ? 'not constant strings' : imp.name})`,
      });
    }
    if (index === 0) {
      // what plain pickle.load (no persistent_load) makes of the file: it stops at a persistent id
      const pid = parsed.firstPersistentId;
      const complete = parsed.error === undefined && pid === undefined;
      out.pickle = {
        complete,
        loadable:
          pid === undefined
            ? complete || parsed.imports.length > 0 || parsed.error?.kind === 'limit'
            : parsed.imports.some((i) => i.offset < pid),
      };
    }
    if (parsed.error) {
      if (index === 0 || parsed.imports.length > 0 || parsed.error.kind === 'limit') {
        out.findings.push({
          file: ctx.file,
          kind: 'malformed',
          offset: parsed.error.offset,
          ...(ctx.member ? { member: ctx.member } : {}),
          message: `${where(ctx, parsed.error.offset)}: not a well-formed pickle: ${parsed.error.message}`,
        });
      }
      return out;
    }
    if (reading.torchLegacy === true && index + 1 >= TORCH_LEGACY_PICKLES) return out;
    if ((await reader.peek()) === undefined) return out;
  }
}

/**
 * A NumPy .npy file, its header read as numpy.lib.format does (readNpyHeader): a dtype that can hold
 * objects, in any spelling, means the data is a pickle numpy.load(allow_pickle=True) loads.
 */
export async function checkNumpy(reader: ByteReader, ctx: CheckContext): Promise<CheckResult> {
  const header = await readNpyHeader((n) => reader.take(n));
  if (!header.ok)
    return {
      imports: [],
      findings: [
        {
          file: ctx.file,
          kind: 'invalid-header',
          offset: 0,
          ...(ctx.member ? { member: ctx.member } : {}),
          message: `${where(ctx, 0)}: not a NumPy .npy header numpy.load reads: ${header.message}`,
        },
      ],
    };
  if (!header.objects) return { imports: [], findings: [] };
  return checkPickles(reader, ctx);
}

/** A safetensors header (`header` = the N JSON bytes) of a file of `size` bytes. */
export function checkSafetensors(header: Buffer, size: number, ctx: CheckContext): CheckResult {
  const { problems } = validateSafetensorsHeader(header, size);
  return {
    imports: [],
    findings: problems.map((p) => ({
      file: ctx.file,
      kind: 'invalid-header' as const,
      offset: p.offset,
      message: `${ctx.file}: invalid safetensors header: ${p.message}`,
    })),
  };
}

/** Pickles (`*.pkl`) and NumPy arrays (`*.npy`) inside a ZIP archive (torch zip, .npz). */
export async function checkZip(
  handle: FileHandle,
  path: string,
  size: number,
  ctx: CheckContext,
): Promise<CheckResult> {
  const out: CheckResult = { imports: [], findings: [] };
  try {
    const entries = await listZipEntries(handle, size);
    out.torch = entries.some((e) => /(^|\/)data\.pkl$/.test(e.name));
    for (const entry of entries) {
      const stream = await openZipEntry(handle, path, entry);
      const reader = new StreamByteReader(stream);
      const memberCtx = { ...ctx, member: entry.name };
      try {
        // numpy.load reads a member as an array when it starts with the .npy magic, whatever its name;
        // torch.load unpickles data.pkl (every *.pkl is read here)
        const isNumpy = (await reader.peekBytes(6)).toString('latin1') === '\x93NUMPY';
        const isPickle = /\.pkl$/i.test(entry.name);
        if (!isPickle && !isNumpy) continue;
        const r = isPickle ? await checkPickles(reader, memberCtx) : await checkNumpy(reader, memberCtx);
        out.imports.push(...r.imports);
        out.findings.push(...r.findings);
      } catch (e) {
        if (!String((e as NodeJS.ErrnoException).code).startsWith('Z_')) throw e;
        throw new ZipFormatError(
          `entry ${entry.name} does not inflate: ${(e as Error).message}`,
          entry.localHeaderOffset,
        );
      } finally {
        stream.destroy();
      }
    }
  } catch (e) {
    if (!(e instanceof ZipFormatError)) throw e;
    out.findings.push({
      file: ctx.file,
      kind: 'malformed',
      offset: e.offset,
      message: `${where(ctx, e.offset)}: not a readable ZIP archive: ${e.message}`,
    });
  }
  return out;
}

/** Names whose loaders trust one format: content that is something else is a finding. */
const NAMED_FORMATS: [RegExp, string][] = [
  [/\.safetensors$/i, 'safetensors'],
  [/\.gguf$/i, 'gguf'],
];

/** A finding when `file`'s name promises a format its content is not. */
export function checkNameMatches(file: string, format: string): ScanFinding[] {
  const expected = NAMED_FORMATS.find(([re]) => re.test(file))?.[1];
  if (expected === undefined || expected === format) return [];
  return [
    {
      file,
      kind: 'invalid-header',
      offset: 0,
      message: `${file}: named like a ${expected} file but its content is not one (${format})`,
    },
  ];
}
