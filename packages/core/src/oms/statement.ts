// The OMS in-toto statement: build the v1.0 payload we sign, and parse every payload in the field
// (v1.0 from model_signing 0.3.1+, legacy `Digests/v0.1` from 0.2.0) back into a manifest.
import { ModelsealError } from '../errors.js';
import { isJsonObject } from '../json-object.js';
import { compareUtf8, rootDigest } from '../digest/root-digest.js';
import { resourceAlgorithm } from '../digest/hash-files.js';
import { isHashAlgorithm } from '../digest/hasher.js';
import type { HashingConfig, ModelManifest, Resource } from '../types.js';
import { checkShardLayout, splitShardName } from './shard-layout.js';

/** The in-toto Statement v1 `_type` an OMS signature carries. */
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** The OMS v1.0 predicate type. */
export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** The predicate type of model_signing v0.2 signatures (still verified). */
export const OMS_LEGACY_PREDICATE_TYPE = 'https://model_signing/Digests/v0.1';

/** A manifest read back from a signed statement. */
export interface SignedManifest extends ModelManifest {
  predicateType: string;
  /**
   * True for the v0.2.0 `Digests/v0.1` layout: one subject per file, no root digest in the
   * payload (`root` is recomputed here for display), always files + sha256, no symlinks.
   */
  legacy: boolean;
  /**
   * True when the signature records `serialization.ignore_paths` (modelseal always does, Python
   * >= 1.1 when it ignored anything, git paths included): verification then ignores exactly those
   * paths. False for older signatures, which say nothing about what the signer left out.
   */
  ignorePathsRecorded: boolean;
}

const HEX = /^(?:[0-9a-f]{2})+$/;

/** Sort key that keeps shards of one file in numeric order and files in UTF-8 byte order. */
function compareResources(method: HashingConfig['method']) {
  return (a: Resource, b: Resource): number => {
    if (method !== 'shards') return compareUtf8(a.name, b.name);
    const pa = splitShardName(a.name);
    const pb = splitShardName(b.name);
    return compareUtf8(pa.path, pb.path) || pa.start - pb.start || pa.end - pb.end;
  };
}

/** The distinct file paths a manifest covers (shard names mapped back to their file). */
export function manifestFiles(manifest: Pick<ModelManifest, 'config' | 'resources'>): string[] {
  const names = manifest.resources.map((r) =>
    manifest.config.method === 'shards' ? splitShardName(r.name).path : r.name,
  );
  return [...new Set(names)];
}

/**
 * Compact JSON bytes of the in-toto Statement v1 carrying the OMS v1.0 predicate. Resources are
 * written in UTF-8 byte order (shards by numeric offset) and the root is checked against them.
 */
export function buildStatement(manifest: ModelManifest): Buffer {
  if (manifest.resources.length === 0) {
    throw new ModelsealError('EMPTY_MODEL', `model '${manifest.subjectName}' has no files to sign`);
  }
  const resources = [...manifest.resources].sort(compareResources(manifest.config.method));
  const root = rootDigest(resources);
  if (root !== manifest.root) {
    throw new ModelsealError(
      'MANIFEST_INCONSISTENT',
      `manifest root ${manifest.root} does not match its resources (${root})`,
    );
  }
  const serialization: Record<string, unknown> = {
    method: manifest.config.method,
    hash_type: manifest.config.hashType,
    allow_symlinks: manifest.allowSymlinks,
    ignore_paths: [...manifest.ignorePaths].sort(compareUtf8),
  };
  if (manifest.config.method === 'shards') serialization.shard_size = Math.trunc(manifest.config.shardSize);
  const statement = {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: manifest.subjectName || 'model', digest: { sha256: root } }],
    predicateType: OMS_PREDICATE_TYPE,
    predicate: {
      serialization,
      resources: resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
    },
  };
  return Buffer.from(JSON.stringify(statement), 'utf8');
}

function bad(source: string, what: string): ModelsealError {
  return new ModelsealError('MALFORMED_BUNDLE', `${source}: statement ${what}`);
}

/**
 * Rejects names a walker could never produce: absolute, `..`, empty components, NUL. A backslash is
 * an ordinary POSIX file-name character, which the OMS spec and the Python CLI accept.
 */
function checkResourceName(name: string, path: string, source: string): void {
  if (path === '.') return;
  const parts = path.split('/');
  if (path.startsWith('/') || path.includes('\0') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new ModelsealError('UNSAFE_PATH', `${source}: statement names an unsafe resource path '${name}'`);
  }
}

function parseSerialization(
  v: unknown,
  source: string,
): { config: HashingConfig; allowSymlinks: boolean; ignorePaths: string[]; ignorePathsRecorded: boolean } {
  if (!isJsonObject(v)) throw bad(source, 'has no predicate.serialization object');
  const method = v.method;
  if (method !== 'files' && method !== 'shards')
    throw bad(source, `has unsupported serialization method '${String(method)}'`);
  const hashType = v.hash_type;
  if (typeof hashType !== 'string' || !isHashAlgorithm(hashType))
    throw bad(source, `has unsupported hash_type '${String(hashType)}'`);
  if (typeof v.allow_symlinks !== 'boolean')
    throw bad(source, 'serialization.allow_symlinks must be a boolean');
  let shardSize = 0;
  if (method === 'shards') {
    // Python writes shard_size through a protobuf Struct, i.e. as a float (1000000000.0): accept integral numbers.
    const s = v.shard_size;
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s <= 0)
      throw bad(source, `has invalid shard_size '${String(s)}'`);
    shardSize = s;
  }
  let ignorePaths: string[] = [];
  if (v.ignore_paths !== undefined) {
    if (!Array.isArray(v.ignore_paths) || v.ignore_paths.some((p) => typeof p !== 'string' || p === '')) {
      throw bad(source, 'serialization.ignore_paths must be a list of non-empty strings');
    }
    ignorePaths = v.ignore_paths as string[];
  }
  return {
    config: { method, hashType, shardSize },
    allowSymlinks: v.allow_symlinks,
    ignorePaths,
    ignorePathsRecorded: v.ignore_paths !== undefined,
  };
}

function parseResources(v: unknown, config: HashingConfig, source: string): Resource[] {
  if (!Array.isArray(v)) throw bad(source, 'has no predicate.resources list');
  if (v.length === 0) throw bad(source, 'has an empty resources list (an empty model cannot be verified)');
  const expected = resourceAlgorithm(config);
  const seen = new Set<string>();
  return v.map((r, i) => {
    if (
      !isJsonObject(r) ||
      typeof r.name !== 'string' ||
      r.name === '' ||
      typeof r.algorithm !== 'string' ||
      typeof r.digest !== 'string'
    ) {
      throw bad(source, `resource #${i} must have string name, algorithm and digest`);
    }
    if (!HEX.test(r.digest)) throw bad(source, `resource '${r.name}' has a digest that is not lowercase hex`);
    // The spec spells shard algorithms as the plain hash name; Python as `<hash>-sharded-<N>`.
    if (r.algorithm !== expected && !(config.method === 'shards' && r.algorithm === config.hashType)) {
      throw bad(source, `resource '${r.name}' has algorithm '${r.algorithm}', expected '${expected}'`);
    }
    const path = config.method === 'shards' ? splitShardName(r.name).path : r.name;
    if (config.method === 'shards' && splitShardName(r.name).start < 0)
      throw bad(source, `shard resource '${r.name}' is not 'path:start:end'`);
    checkResourceName(r.name, path, source);
    if (seen.has(r.name))
      throw new ModelsealError('MANIFEST_INCONSISTENT', `${source}: resource '${r.name}' is listed twice`);
    seen.add(r.name);
    return { name: r.name, algorithm: expected, digest: r.digest };
  });
}

function parseLegacy(statement: Record<string, unknown>, source: string): SignedManifest {
  const subjects = statement.subject;
  if (!Array.isArray(subjects) || subjects.length === 0) throw bad(source, 'has no subjects');
  const resources = subjects.map((s, i): Resource => {
    const digest = isJsonObject(s) && isJsonObject(s.digest) ? s.digest.sha256 : undefined;
    if (
      !isJsonObject(s) ||
      typeof s.name !== 'string' ||
      s.name === '' ||
      typeof digest !== 'string' ||
      !HEX.test(digest)
    ) {
      throw bad(source, `subject #${i} must have a name and a sha256 digest`);
    }
    checkResourceName(s.name, s.name, source);
    return { name: s.name, algorithm: 'sha256', digest };
  });
  if (new Set(resources.map((r) => r.name)).size !== resources.length) {
    throw new ModelsealError('MANIFEST_INCONSISTENT', `${source}: a subject is listed twice`);
  }
  return {
    predicateType: OMS_LEGACY_PREDICATE_TYPE,
    legacy: true,
    ignorePathsRecorded: false,
    root: rootDigest(resources),
    subjectName: '',
    config: { method: 'files', hashType: 'sha256', shardSize: 0 },
    allowSymlinks: false,
    ignorePaths: [],
    resources,
  };
}

/**
 * Parses signed statement bytes into a manifest. Accepts any resource order; the subject digest
 * must equal the root recomputed over the resources in file order (else MANIFEST_INCONSISTENT).
 */
export function parseStatement(payload: Buffer, source: string): SignedManifest {
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    throw bad(source, 'is not valid JSON');
  }
  if (!isJsonObject(statement)) throw bad(source, 'is not a JSON object');
  if (statement._type !== IN_TOTO_STATEMENT_TYPE)
    throw bad(source, `has _type '${String(statement._type)}', expected '${IN_TOTO_STATEMENT_TYPE}'`);
  const predicateType = statement.predicateType;
  if (predicateType === OMS_LEGACY_PREDICATE_TYPE) return parseLegacy(statement, source);
  if (predicateType !== OMS_PREDICATE_TYPE) {
    throw bad(
      source,
      `has unsupported predicateType '${String(predicateType)}' (expected '${OMS_PREDICATE_TYPE}')`,
    );
  }
  const subjects = statement.subject;
  if (!Array.isArray(subjects) || subjects.length !== 1) {
    throw bad(
      source,
      `must have exactly one subject (found ${Array.isArray(subjects) ? subjects.length : 'none'})`,
    );
  }
  const subject: unknown = subjects[0];
  const root = isJsonObject(subject) && isJsonObject(subject.digest) ? subject.digest.sha256 : undefined;
  if (
    !isJsonObject(subject) ||
    typeof subject.name !== 'string' ||
    typeof root !== 'string' ||
    !/^[0-9a-f]{64}$/.test(root)
  ) {
    throw bad(source, 'subject must have a name and a sha256 digest');
  }
  if (!isJsonObject(statement.predicate)) throw bad(source, 'has no predicate object');
  const { config, allowSymlinks, ignorePaths, ignorePathsRecorded } = parseSerialization(
    statement.predicate.serialization,
    source,
  );
  const resources = parseResources(statement.predicate.resources, config, source);
  if (config.method === 'shards') checkShardLayout(resources, config.shardSize, source);
  const recomputed = rootDigest(resources);
  if (recomputed !== root) {
    throw new ModelsealError(
      'MANIFEST_INCONSISTENT',
      `${source}: manifest is inconsistent: subject digest sha256:${root} does not match the resources (sha256:${recomputed})`,
    );
  }
  return {
    predicateType,
    legacy: false,
    ignorePathsRecorded,
    root,
    subjectName: subject.name,
    config,
    allowSymlinks,
    ignorePaths,
    resources,
  };
}
