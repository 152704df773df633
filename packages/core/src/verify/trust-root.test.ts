// Trusted roots: the shipped public-good snapshot, files, and clear TRUST_ROOT errors.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTrustedRoot, parseTrustedRoot, publicGoodTrustedRoot } from './trust-root.js';

const dir = mkdtempSync(join(tmpdir(), 'ms-trust-root-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('trusted roots', () => {
  it('ships the public-good root from @sigstore/tuf (offline)', async () => {
    const root = publicGoodTrustedRoot();
    expect(root.certificateAuthorities.map((c) => c.uri)).toContain('https://fulcio.sigstore.dev');
    expect(root.tlogs.map((t) => t.baseUrl)).toContain('https://rekor.sigstore.dev');
    expect(root.timestampAuthorities.map((t) => t.uri)).toEqual([
      'https://timestamp.sigstore.dev/api/v1/timestamp',
    ]);
    expect((await loadTrustedRoot({ kind: 'public-good' })).certificateAuthorities.length).toBe(
      root.certificateAuthorities.length,
    );
  });

  it('rejects documents that are not trusted roots, with the file named', async () => {
    expect(() => parseTrustedRoot([], 'x.json')).toThrow('x.json: a trusted root must be a JSON object');
    expect(() => parseTrustedRoot({ mediaType: 'application/json' }, 'x.json')).toThrow(
      /x\.json: not a Sigstore trusted root/,
    );
    expect(() =>
      parseTrustedRoot(
        {
          mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
          certificateAuthorities: [],
        },
        'x.json',
      ),
    ).toThrow('x.json: the trusted root lists no certificate authority');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"mediaType": ');
    await expect(loadTrustedRoot({ kind: 'file', path: bad })).rejects.toMatchObject({ code: 'TRUST_ROOT' });
    await expect(loadTrustedRoot({ kind: 'file', path: join(dir, 'missing.json') })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('a file that is not JSON is named, never quoted (it may be a secret given by mistake)', async () => {
    const secret = join(dir, 'token.txt');
    writeFileSync(secret, 'TOKEN=hunter2-secret');
    await expect(loadTrustedRoot({ kind: 'file', path: secret })).rejects.toMatchObject({
      code: 'TRUST_ROOT',
      message: `trusted root ${secret}: not valid JSON`,
    });
    await expect(loadTrustedRoot({ kind: 'file', path: join(dir, 'missing.json') })).rejects.toMatchObject({
      message: `trusted root ${join(dir, 'missing.json')}: no such file`,
    });
  });

  it('a TUF refresh failure is a TRUST_ROOT error naming the mirror (nothing falls back silently)', async () => {
    const err = (await loadTrustedRoot({
      kind: 'tuf',
      mirrorURL: 'http://127.0.0.1:9',
      cachePath: join(dir, 'tuf'),
    }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('TRUST_ROOT');
    expect(err.message).toMatch(/^TUF refresh from http:\/\/127\.0\.0\.1:9 failed: /);
  });
});
