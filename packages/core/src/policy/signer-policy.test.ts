import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadPublicKey } from '../keys/load-public-key.js';
import { parsePolicy } from './load-policy.js';
import { signerPolicy } from './signer-policy.js';

const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('signerPolicy', () => {
  it('pins the key as release-key, requires it for the OMS signature and a clean scan, and parses', () => {
    const text = signerPolicy({ publicKey });
    const { policy } = parsePolicy(text, 'p.yaml');
    expect(policy.metadata.name).toBe('model-release');
    expect(policy.spec.mode).toBe('enforce');
    expect(Object.keys(policy.spec.identities)).toEqual(['release-key']);
    expect(policy.spec.identities['release-key']).toEqual({ key: { publicKey: spki } });
    expect(policy.spec.require.signatures.oms?.signedBy).toEqual(['release-key']);
    expect(policy.spec.require.weights).toEqual({ scan: 'clean' });
    expect(policy.spec.require.provenance).toBeUndefined();
  });

  it('re-encodes a key given with a preamble and CRLF line ends: the policy holds the canonical SPKI PEM', () => {
    const messy = `comment line\r\n${spki.replace(/\n/g, '\r\n')}`;
    const text = signerPolicy({ publicKey: loadPublicKey(messy), name: 'prod-models' });
    expect(text).not.toContain('\r');
    expect(text).not.toContain('comment line');
    const { policy } = parsePolicy(text, 'p.yaml');
    expect(policy.metadata.name).toBe('prod-models');
    const key = (policy.spec.identities['release-key'] as { key: { publicKey: string } }).key.publicKey;
    expect(createPublicKey(key).equals(publicKey)).toBe(true);
  });

  it('refuses no signer and a name that is not a DNS label (USAGE)', () => {
    expect(() => signerPolicy({})).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message: 'a signer policy needs a public key or at least one root certificate',
      }),
    );
    expect(() => signerPolicy({ roots: [] })).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => signerPolicy({ publicKey, name: 'Prod Models' })).toThrow(
      expect.objectContaining({
        code: 'USAGE',
        message: 'policy name "Prod Models" is not a lowercase DNS label',
      }),
    );
  });
});
