// A BundleVerifier built from a policy's identities: a bundle verifies when one identity of the
// matching kind proves it (OR): a key identity's public key, a certificate identity's roots, or a
// keyless identity's SAN + issuer against the Sigstore trusted root. Which identity a block accepts
// is decided afterwards by evaluatePolicy (signedBy, Fulcio extensions).
import { ModelsealError } from '../errors.js';
import { loadCertificates } from '../keys/certificates.js';
import { loadPublicKey } from '../keys/load-public-key.js';
import { certificateVerifier } from '../verify/certificate-verifier.js';
import { keyVerifier } from '../verify/key-verifier.js';
import { keylessVerifier, type KeylessVerifierOptions } from '../verify/sigstore-verifier.js';
import type { BundleVerifier, VerifiedBundle } from '../oms/verifier.js';
import type { ParsedBundle } from '../oms/parse-bundle.js';
import type { ModelPolicy } from './schema.js';

/** Options of policyVerifier. */
export interface PolicyVerifierOptions {
  /** Sigstore trusted root for keyless identities (default: the public-good snapshot shipped with @sigstore/tuf). */
  trustedRoot?: KeylessVerifierOptions['trustedRoot'];
}

type Kind = BundleVerifier['kind'];

function bundleKind(bundle: ParsedBundle): Kind {
  const vm = (bundle.json.verificationMaterial ?? {}) as Record<string, unknown>;
  if (vm.publicKey !== undefined) return 'key';
  if (vm.x509CertificateChain !== undefined) return 'certificate';
  return 'keyless';
}

/**
 * The identity kinds that may prove a bundle: a single `certificate` is a Fulcio leaf or, in a
 * cosign-format (v0.3) referrer, the leaf of one's own PKI, so both kinds are tried (each verifier
 * refuses a leaf that does not chain to its own roots).
 */
function candidateKinds(bundle: ParsedBundle): Kind[] {
  const kind = bundleKind(bundle);
  return kind === 'keyless' ? ['keyless', 'certificate'] : [kind];
}

/**
 * A verifier that accepts a bundle when any identity of `policy` of the bundle's kind verifies it.
 * Throws, on verify, the first identity's error when none does (BAD_SIGNATURE, WRONG_KEY,
 * UNTRUSTED_CHAIN, IDENTITY_MISMATCH, ...), or IDENTITY_MISMATCH when the policy has no identity of
 * that kind.
 */
export function policyVerifier(policy: ModelPolicy, opts: PolicyVerifierOptions = {}): BundleVerifier {
  const byKind: Record<Kind, { name: string; verifier: BundleVerifier }[]> = {
    key: [],
    certificate: [],
    keyless: [],
  };
  for (const [name, id] of Object.entries(policy.spec.identities)) {
    if (id.key) {
      byKind.key.push({
        name,
        verifier: keyVerifier({
          publicKey: loadPublicKey(id.key.publicKey, `identity ${name}`),
          trustedRoot: opts.trustedRoot,
        }),
      });
    } else if (id.certificate) {
      const anchors = id.certificate.roots.flatMap((pem) => loadCertificates(pem, `identity ${name}`));
      byKind.certificate.push({
        name,
        verifier: certificateVerifier({ trustAnchors: anchors, trustedRoot: opts.trustedRoot }),
      });
    } else if (id.keyless) {
      const k = id.keyless;
      const verifier = keylessVerifier({
        trustedRoot: opts.trustedRoot ?? { kind: 'public-good' },
        identity: k.subject,
        identityRegExp: k.subjectRegExp,
        issuer: k.issuer,
        issuerRegExp: k.issuerRegExp,
      });
      byKind.keyless.push({ name, verifier });
    }
  }
  return {
    kind: 'keyless',
    async verify(bundle: ParsedBundle): Promise<VerifiedBundle> {
      const kind = bundleKind(bundle);
      const candidates = candidateKinds(bundle).flatMap((k) => byKind[k]);
      if (candidates.length === 0) {
        throw new ModelsealError(
          'IDENTITY_MISMATCH',
          `${bundle.source}: signed with ${kind === 'key' ? 'a key' : kind === 'certificate' ? 'a certificate chain' : 'a Sigstore certificate'}, but the policy names no ${kind} identity`,
        );
      }
      let first: unknown;
      for (const { verifier } of candidates) {
        try {
          return await verifier.verify(bundle);
        } catch (e) {
          if (!(e instanceof ModelsealError) || e.kind !== 'verification') throw e;
          first ??= e;
        }
      }
      throw first;
    },
  };
}
