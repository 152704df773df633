import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ModelManifest, Resource } from '../types.js';
import { buildStatement, parseStatement } from './statement.js';

const d = (s: string) => createHash('sha256').update(s).digest('hex');
const root = (rs: Resource[]) =>
  createHash('sha256')
    .update(Buffer.concat(rs.map((r) => Buffer.from(r.digest, 'hex'))))
    .digest('hex');

function manifest(resources: Resource[], extra: Partial<ModelManifest> = {}): ModelManifest {
  return {
    root: root(resources),
    subjectName: 'm',
    config: { method: 'files', hashType: 'sha256', shardSize: 0 },
    allowSymlinks: false,
    ignorePaths: ['model.sig', '.git'],
    resources,
    ...extra,
  };
}

describe('buildStatement', () => {
  it('writes compact JSON in the DESIGN.md shape, resources in UTF-8 byte order', () => {
    const names = ['a/b', 'a.b', 'a-b'];
    const sorted = ['a-b', 'a.b', 'a/b'].map((name) => ({ name, algorithm: 'sha256', digest: d(name) }));
    const m = manifest(sorted, {
      resources: names.map((name) => ({ name, algorithm: 'sha256', digest: d(name) })),
    });
    const text = buildStatement(m).toString();
    expect(text).toBe(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'm', digest: { sha256: root(sorted) } }],
        predicateType: 'https://model_signing/signature/v1.0',
        predicate: {
          serialization: {
            method: 'files',
            hash_type: 'sha256',
            allow_symlinks: false,
            ignore_paths: ['.git', 'model.sig'],
          },
          resources: sorted,
        },
      }),
    );
  });

  it('writes an integer shard_size and orders shards numerically', () => {
    const rs = ['w:0:8', 'w:8:16', 'w:16:20'].map((name) => ({
      name,
      algorithm: 'sha256-sharded-8',
      digest: d(name),
    }));
    const s = JSON.parse(
      buildStatement(
        manifest(rs, { config: { method: 'shards', hashType: 'sha256', shardSize: 8 } }),
      ).toString(),
    );
    expect(s.predicate.serialization.shard_size).toBe(8);
    expect(s.predicate.resources.map((r: Resource) => r.name)).toEqual(['w:0:8', 'w:8:16', 'w:16:20']);
  });

  it('refuses an empty model and a root that does not match', () => {
    expect(() => buildStatement(manifest([]))).toThrow(/has no files to sign/);
    const rs = [{ name: 'x', algorithm: 'sha256', digest: d('x') }];
    expect(() => buildStatement({ ...manifest(rs), root: d('other') })).toThrow(
      /does not match its resources/,
    );
  });
});

describe('parseStatement', () => {
  it('round-trips what buildStatement writes', () => {
    const rs = [{ name: 'x', algorithm: 'blake3', digest: d('x') }];
    const m = manifest(rs, { config: { method: 'files', hashType: 'blake3', shardSize: 0 } });
    expect(parseStatement(buildStatement(m), 's')).toEqual({
      ...m,
      ignorePaths: ['.git', 'model.sig'],
      predicateType: 'https://model_signing/signature/v1.0',
      legacy: false,
      ignorePathsRecorded: true,
    });
  });

  it('accepts any resource order (root over file order), Python float shard_size and the spec shard algorithm', () => {
    const rs = ['b:0:2', 'a:0:2'].map((name) => ({ name, algorithm: 'sha256', digest: d(name) }));
    const payload = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'm', digest: { sha256: root(rs) } }],
      predicateType: 'https://model_signing/signature/v1.0',
      predicate: {
        serialization: { method: 'shards', hash_type: 'sha256', allow_symlinks: false, shard_size: 2.0 },
        resources: rs,
      },
    };
    const text = JSON.stringify(payload).replace('"shard_size":2', '"shard_size":2.0');
    const m = parseStatement(Buffer.from(text), 's');
    expect(m.config).toEqual({ method: 'shards', hashType: 'sha256', shardSize: 2 });
    expect(m.ignorePathsRecorded).toBe(false);
    expect(m.resources.map((r) => [r.name, r.algorithm])).toEqual([
      ['b:0:2', 'sha256-sharded-2'],
      ['a:0:2', 'sha256-sharded-2'],
    ]);
    payload.subject[0].digest.sha256 = root([...rs].reverse());
    expect(() => parseStatement(Buffer.from(JSON.stringify(payload)), 's')).toThrow(
      /manifest is inconsistent/,
    );
  });

  it('reads the legacy Digests/v0.1 layout', () => {
    const payload = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        { name: 'f', digest: { sha256: d('f') }, annotations: { actual_hash_algorithm: 'file-sha256' } },
      ],
      predicateType: 'https://model_signing/Digests/v0.1',
      predicate: { unused: 'Unused, just passed due to API requirements' },
    };
    const m = parseStatement(Buffer.from(JSON.stringify(payload)), 's');
    expect(m).toMatchObject({
      legacy: true,
      ignorePathsRecorded: false,
      resources: [{ name: 'f', algorithm: 'sha256', digest: d('f') }],
      config: { method: 'files', hashType: 'sha256' },
    });
  });

  it('rejects duplicates, wrong algorithms and float shard sizes that are not integers', () => {
    const base = (
      resources: unknown[],
      serialization: Record<string, unknown> = {
        method: 'files',
        hash_type: 'sha256',
        allow_symlinks: false,
      },
    ) =>
      Buffer.from(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ name: 'm', digest: { sha256: d('') } }],
          predicateType: 'https://model_signing/signature/v1.0',
          predicate: { serialization, resources },
        }),
      );
    const r = { name: 'x', algorithm: 'sha256', digest: d('x') };
    expect(() => parseStatement(base([r, r]), 's')).toThrow("s: resource 'x' is listed twice");
    expect(() => parseStatement(base([{ ...r, algorithm: 'blake2b' }]), 's')).toThrow(
      "resource 'x' has algorithm 'blake2b', expected 'sha256'",
    );
    expect(() =>
      parseStatement(
        base([r], { method: 'shards', hash_type: 'sha256', allow_symlinks: false, shard_size: 1.5 }),
        's',
      ),
    ).toThrow("invalid shard_size '1.5'");
    expect(() =>
      parseStatement(base([r], { method: 'files', hash_type: 'md5', allow_symlinks: false }), 's'),
    ).toThrow("unsupported hash_type 'md5'");
  });
});

describe('parseStatement: shard layout', () => {
  const statement = (names: string[]) => {
    const rs = names.map((name) => ({ name, algorithm: 'sha256-sharded-8', digest: d(name) }));
    return Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'm', digest: { sha256: root(rs) } }],
        predicateType: 'https://model_signing/signature/v1.0',
        predicate: {
          serialization: { method: 'shards', hash_type: 'sha256', allow_symlinks: false, shard_size: 8 },
          resources: rs,
        },
      }),
    );
  };

  it('accepts shards tiling each file from 0, and an empty file as the lone shard path:0:0', () => {
    expect(
      parseStatement(statement(['w:8:12', 'w:0:8', 'e:0:0', 'x:0:8', 'a:1:2:0:3']), 's').resources.map(
        (r) => r.name,
      ),
    ).toEqual(['w:8:12', 'w:0:8', 'e:0:0', 'x:0:8', 'a:1:2:0:3']);
  });

  it.each([
    [['w:8:16'], "shard 'w:8:16' of file 'w' leaves bytes 0-8 out"],
    [['w:0:8', 'w:16:20'], "shard 'w:16:20' of file 'w' leaves bytes 8-16 out"],
    [['w:0:8', 'w:4:12'], "shard 'w:4:12' of file 'w' overlaps the one before"],
    [['w:0:4', 'w:4:8'], "shard 'w:0:4' of file 'w' is 4 bytes where shard_size is 8"],
    [['w:0:9'], "shard 'w:0:9' of file 'w' is 9 bytes where shard_size is 8"],
    [['w:0:0', 'w:0:8'], "shard 'w:0:0' of file 'w' is 0 bytes where shard_size is 8"],
    [['w:0:8', 'w:8:8'], "shard 'w:8:8' of file 'w' is 0 bytes where shard_size is 8"],
  ])('rejects %j with MANIFEST_INCONSISTENT', (names, message) => {
    let err: unknown;
    try {
      parseStatement(statement(names), 's');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'MANIFEST_INCONSISTENT',
      message: `s: ${message}; a signed file must be covered from byte 0 to its end`,
    });
  });
});
