// The policy `modelseal policy init --key FILE` / `--certificate-chain FILE` prints: a ModelPolicy
// that pins the given public key and/or certificate roots as the only signers of the OMS signature,
// with the optional blocks commented out. The PEM text is re-encoded from the parsed key/certificates
// (so a preamble or CRLF in the input never reaches the policy) and indented as a YAML block scalar.
import type { KeyObject, X509Certificate } from 'node:crypto';
import { ModelsealError } from '../errors.js';
import { publicKeyPem } from '../keys/load-public-key.js';

/** What to pin: a public key, certificate roots, or both (then either may sign). */
export interface SignerPolicyOptions {
  /** The signer's public key (from loadPublicKeyFile): identity `release-key`. */
  publicKey?: KeyObject;
  /** The trust anchors of a certificate chain (from loadCertificateFiles): identity `release-ca`. */
  roots?: X509Certificate[];
  /** metadata.name; default `model-release`. Must be a lowercase DNS label. */
  name?: string;
}

/** The identity names the generated policy uses. */
export const SIGNER_POLICY_IDENTITIES = { key: 'release-key', certificate: 'release-ca' } as const;

const block = (pem: string, indent: string) =>
  pem
    .trimEnd()
    .split('\n')
    .map((l) => indent + l)
    .join('\n');

/**
 * A ModelPolicy (YAML text) that requires the OMS signature to be made by the given key or under the
 * given certificate roots, and that `parsePolicy` accepts as it is.
 * Throws ModelsealError USAGE when neither `publicKey` nor a non-empty `roots` is given, or when
 * `name` is not a lowercase DNS label.
 */
export function signerPolicy(opts: SignerPolicyOptions): string {
  const name = opts.name ?? 'model-release';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
    throw new ModelsealError('USAGE', `policy name "${name}" is not a lowercase DNS label`);
  const roots = opts.roots ?? [];
  if (opts.publicKey === undefined && roots.length === 0)
    throw new ModelsealError('USAGE', 'a signer policy needs a public key or at least one root certificate');
  const identities: string[] = [];
  const names: string[] = [];
  if (opts.publicKey !== undefined) {
    names.push(SIGNER_POLICY_IDENTITIES.key);
    identities.push(
      `    ${SIGNER_POLICY_IDENTITIES.key}:\n      key:\n        publicKey: |\n${block(publicKeyPem(opts.publicKey), '          ')}`,
    );
  }
  if (roots.length > 0) {
    names.push(SIGNER_POLICY_IDENTITIES.certificate);
    const list = roots
      .map(
        (c) =>
          `          # ${c.subject.replace(/\n/g, ', ')}\n          - |\n${block(c.toString(), '            ')}`,
      )
      .join('\n');
    identities.push(
      `    ${SIGNER_POLICY_IDENTITIES.certificate}:\n      certificate:\n        # Any leaf that chains to one of these roots may sign; narrow it with an anchored pattern:\n        # subjectRegExp: 'CN=ml-release-.*'\n        roots:\n${list}`,
    );
  }
  const signedBy = `[${names.join(', ')}]`;
  return `# modelseal ModelPolicy: what must be proven before a model may be deployed.
# Deny by default: every block under spec.require must pass; an unknown field is an error.
# Check it with: modelseal policy check FILE
apiVersion: modelseal.dev/v1alpha1
kind: ModelPolicy
metadata:
  name: ${name}
spec:
  # enforce: a failed check stops the deployment; audit: failures are reported, the command exits 0.
  mode: enforce

  # Who may sign. A list of identities in signedBy is OR.
  identities:
${identities.join('\n')}

  require:
    # The OMS signature (model.sig, or the signature referrer of an artifact) must verify with one of these.
    signatures:
      oms:
        signedBy: ${signedBy}

    # Weight files: a clean pickle scan (no import outside the safe list), any format.
    weights:
      scan: clean

    # Uncomment to require signed SLSA provenance (modelseal provenance + modelseal attest):
    # provenance:
    #   signedBy: ${signedBy}
    #   builders:
    #     - idRegExp: 'https://github\\.com/acme/.*'
`;
}
