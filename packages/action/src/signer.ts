// The signer the sign inputs ask for: a private key (a path, or the PEM text a secret holds, with
// `key-password`), else keyless Sigstore with the job's OIDC token (audience `sigstore`).
import * as core from '@actions/core';
import { ModelsealError, keySigner, keylessSigner, type BundleSigner } from '@modelseal/core';
import { loadPrivateKey, loadPrivateKeyFile, publicKeyHint } from '@modelseal/core/keys';
import { jobIdToken } from './id-token.js';
import type { SignInputs } from './inputs.js';

/** A signer and who it signs as, for the job summary. */
export interface ActionSigner {
  signer: BundleSigner;
  /** `key <hint>` or the keyless identity (and issuer). */
  identity: string;
  /** The keyless token's issuer (the summary names the certificate's identity with it). */
  issuer?: string;
  /** True when it signs on public-good Sigstore (Rekor entries searchable on search.sigstore.dev). */
  publicGood: boolean;
}

/** True when an input holds PEM text rather than a path. */
export function isPemText(value: string): boolean {
  return value.includes('-----BEGIN ');
}

/** Masks every line of a PEM block in the log (the runner masks values line by line). */
function maskPem(text: string): void {
  for (const line of text.split(/\r?\n/)) {
    const l = line.trim();
    if (l !== '' && !l.startsWith('-----')) core.setSecret(l);
  }
}

/** Builds the signer from the sign inputs. Throws UNSUPPORTED_KEY, BAD_PASSWORD, NOT_FOUND, MISSING_IDENTITY_TOKEN. */
export async function signerFromInputs(inputs: SignInputs): Promise<ActionSigner> {
  if (inputs.key) {
    const opts = {
      password: inputs.keyPassword,
      askPassword: async (): Promise<string> => {
        throw new ModelsealError(
          'BAD_PASSWORD',
          "input 'key' is an encrypted private key: give its password as 'key-password'",
        );
      },
    };
    let privateKey;
    if (isPemText(inputs.key)) {
      maskPem(inputs.key);
      privateKey = await loadPrivateKey(inputs.key, { ...opts, source: "input 'key'" });
    } else privateKey = await loadPrivateKeyFile(inputs.key, opts);
    return {
      signer: keySigner({ privateKey }),
      identity: `key ${publicKeyHint(privateKey)}`,
      publicGood: false,
    };
  }
  const identityToken = await jobIdToken(
    'sigstore',
    'keyless signing (no key input) needs the job OIDC token',
  );
  const result: ActionSigner = {
    signer: keylessSigner({
      identityToken,
      signingConfig: inputs.signingConfig,
      trustedRoot: inputs.trustedRoot,
      onIdentity: (who) => {
        result.issuer = who.issuer;
      },
    }),
    identity: 'keyless',
    publicGood: inputs.signingConfig === undefined,
  };
  return result;
}
