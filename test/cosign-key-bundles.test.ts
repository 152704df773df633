// Interop: key-signed bundles in cosign v3's format (publicKey.hint = base64 SHA-256 of the SPKI DER,
// DSSE in-toto statement, a Rekor intoto entry) verify with the given key, with the hint, without
// it, and under a hint naming another key; another key fails with WRONG_KEY. Its Rekor entry is
// checked against the conformance suite's trusted root (the log that made it); against the
// public-good root it is TLOG_INVALID. The bundle is sigstore-conformance's, byte for byte
// (fixtures/interop/cosign/conformance-intoto-key/).
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyVerifier } from '../packages/core/src/index.js';
import { loadPublicKey, sigstoreKeyHint } from '../packages/core/src/keys.js';
import { parseBundle } from '../packages/core/src/oms/parse-bundle.js';
import { VECTORS_DIR } from './shared-vectors.js';

const DIR = path.join(VECTORS_DIR, 'cosign/conformance-intoto-key');
const BYTES = readFileSync(path.join(DIR, 'bundle.sigstore.json'));
const KEY = loadPublicKey(readFileSync(path.join(DIR, 'key.pub')), 'key.pub');
const HINT = 'rJuYlKqs5PMzdPzjkZBg4BveZRpD97PBnngUXPZSlr8=';
const ROOT = path.join(DIR, 'trusted_root.json');

const withHint = (hint: string | undefined) => {
  const json = JSON.parse(BYTES.toString('utf8')) as {
    verificationMaterial: { publicKey: { hint?: string } };
  };
  if (hint === undefined) delete json.verificationMaterial.publicKey.hint;
  else json.verificationMaterial.publicKey.hint = hint;
  return parseBundle(Buffer.from(JSON.stringify(json)), 'cosign.sigstore.json');
};

describe('cosign v3 key bundles (sigstore-conformance intoto-canonical-log-entry)', () => {
  it('the fixture is the published one and its hint is base64(SHA-256(SPKI DER)) of key.pub', () => {
    expect(createHash('sha256').update(BYTES).digest('hex')).toBe(
      '3e5dbfc4a8b9a386b2c4d03eabbfcead88a867b4b6ccda059c7f9c4dae8b75fd',
    );
    expect(sigstoreKeyHint(KEY)).toBe(HINT);
  });

  it('verifies with key.pub: no warnings, the statement names a.txt by its SHA-256', async () => {
    const r = await keyVerifier({ publicKey: KEY, trustedRoot: ROOT }).verify(
      parseBundle(BYTES, 'bundle.sigstore.json'),
    );
    expect(r.warnings).toEqual([]);
    expect(r.payloadType).toBe('application/vnd.in-toto+json');
    const statement = JSON.parse(r.payload.toString('utf8')) as {
      subject: { name: string; digest: { sha256: string } }[];
    };
    const aTxt = createHash('sha256')
      .update(readFileSync(path.join(DIR, 'a.txt')))
      .digest('hex');
    expect(statement.subject).toEqual([{ name: 'a.txt', digest: { sha256: aTxt } }]);
  });

  it('its Rekor entry is checked: against the public-good root (another log) it is TLOG_INVALID', async () => {
    await expect(keyVerifier({ publicKey: KEY }).verify(parseBundle(BYTES, 'b.json'))).rejects.toMatchObject({
      code: 'TLOG_INVALID',
      message: 'b.json: transparency log entry does not verify: invalid checkpoint signature',
    });
  });

  it('verifies with no hint at all (cosign v3 may write none), with no warning', async () => {
    const r = await keyVerifier({ publicKey: KEY, trustedRoot: ROOT }).verify(withHint(undefined));
    expect(r.warnings).toEqual([]);
  });

  it('verifies under a hint that names another key: the hint is advisory', async () => {
    const r = await keyVerifier({ publicKey: KEY, trustedRoot: ROOT }).verify(withHint('AAAA'));
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^publicKey\.hint AAAA does not name the given key/);
  });

  it('another key: WRONG_KEY (hint present) or BAD_SIGNATURE (no hint), never accepted', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const v = keyVerifier({ publicKey: other });
    await expect(v.verify(parseBundle(BYTES, 'b.json'))).rejects.toMatchObject({
      code: 'WRONG_KEY',
      message: expect.stringMatching(
        new RegExp(
          `^b\\.json: signed by a different key \\(bundle key hint ${HINT.replace(/[+=/]/g, '\\$&')}, given key [0-9a-f]{64}\\)$`,
        ),
      ),
    });
    await expect(v.verify(withHint(undefined))).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
  });
});
