// Where keyless verification gets its trust from: a trusted_root.json file, the public-good snapshot
// shipped in @sigstore/tuf, or (only when asked) a TUF refresh. Never an implicit network fetch.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { lazyModule } from '../lazy-module.js';
import { ModelsealError } from '../errors.js';
import { readJsonFile } from '../read-input-file.js';
import { isJsonObject } from '../json-object.js';

const protobufSpecs = lazyModule<typeof import('@sigstore/protobuf-specs')>('@sigstore/protobuf-specs');
const sigstoreTuf = lazyModule<typeof import('@sigstore/tuf')>('@sigstore/tuf');
const tufSeeds = lazyModule<Record<string, { targets: Record<string, string> }>>('@sigstore/tuf/seeds.json');

export const PUBLIC_GOOD_TUF_URL = 'https://tuf-repo-cdn.sigstore.dev';

const TRUSTED_ROOT_MEDIA_TYPES = [
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
];

/** Where to take the trusted root from. */
export type TrustedRootSource =
  | { kind: 'file'; path: string }
  | { kind: 'public-good' }
  | {
      kind: 'tuf';
      mirrorURL?: string;
      /** default: see defaultTufCachePath() */ cachePath?: string;
      rootPath?: string;
    };

/** Where TUF refreshes cache metadata by default: $XDG_CACHE_HOME (or ~/.cache)/modelseal/tuf. */
export function defaultTufCachePath(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'modelseal', 'tuf');
}

/** What a trusted root is loaded for: keyless signatures (it must list a CA) or log entries (a Rekor log). */
export type TrustedRootUse = 'certificateAuthorities' | 'tlogs';

/**
 * Parse and sanity-check a trusted_root.json document. `source` names it in errors; `needs` is the
 * list that must not be empty (default certificateAuthorities; 'tlogs' for checking the log entries
 * of key/certificate bundles, whose roots may list no CA). Throws TRUST_ROOT.
 */
export function parseTrustedRoot(
  json: unknown,
  source: string,
  needs: TrustedRootUse = 'certificateAuthorities',
): TrustedRoot {
  if (!isJsonObject(json)) {
    throw new ModelsealError('TRUST_ROOT', `${source}: a trusted root must be a JSON object`);
  }
  const mediaType = json.mediaType;
  if (typeof mediaType !== 'string' || !TRUSTED_ROOT_MEDIA_TYPES.includes(mediaType)) {
    throw new ModelsealError(
      'TRUST_ROOT',
      `${source}: not a Sigstore trusted root (mediaType ${JSON.stringify(mediaType)}, expected ${TRUSTED_ROOT_MEDIA_TYPES[1]})`,
    );
  }
  let root: TrustedRoot;
  try {
    root = protobufSpecs().TrustedRoot.fromJSON(json);
  } catch (e) {
    throw new ModelsealError('TRUST_ROOT', `${source}: malformed trusted root: ${(e as Error).message}`, {
      cause: e,
    });
  }
  if (needs === 'certificateAuthorities' && root.certificateAuthorities.length === 0) {
    throw new ModelsealError('TRUST_ROOT', `${source}: the trusted root lists no certificate authority`);
  }
  if (needs === 'tlogs' && root.tlogs.length === 0) {
    throw new ModelsealError('TRUST_ROOT', `${source}: the trusted root lists no transparency log`);
  }
  return root;
}

/** The public-good trusted root snapshot that ships with @sigstore/tuf (offline). */
export function publicGoodTrustedRoot(): TrustedRoot {
  const b64 = tufSeeds()[PUBLIC_GOOD_TUF_URL]?.targets['trusted_root.json'];
  if (!b64)
    throw new ModelsealError('TRUST_ROOT', '@sigstore/tuf ships no public-good trusted_root.json snapshot');
  return parseTrustedRoot(
    JSON.parse(Buffer.from(b64, 'base64').toString('utf8')),
    '@sigstore/tuf public-good snapshot',
  );
}

/**
 * Load a trusted root from the given source (a file must list what `needs` names, see
 * parseTrustedRoot). Only `kind: 'tuf'` touches the network. Throws TRUST_ROOT.
 */
export async function loadTrustedRoot(
  source: TrustedRootSource,
  needs: TrustedRootUse = 'certificateAuthorities',
): Promise<TrustedRoot> {
  switch (source.kind) {
    case 'file':
      return parseTrustedRoot(
        await readJsonFile(source.path, 'trusted root', 'TRUST_ROOT'),
        source.path,
        needs,
      );
    case 'public-good':
      return publicGoodTrustedRoot();
    case 'tuf':
      try {
        return await sigstoreTuf().getTrustedRoot({
          mirrorURL: source.mirrorURL ?? PUBLIC_GOOD_TUF_URL,
          cachePath: source.cachePath ?? defaultTufCachePath(),
          rootPath: source.rootPath,
          forceCache: false,
        });
      } catch (e) {
        throw new ModelsealError(
          'TRUST_ROOT',
          `TUF refresh from ${source.mirrorURL ?? PUBLIC_GOOD_TUF_URL} failed: ${(e as Error).message}`,
          { cause: e },
        );
      }
  }
}
