// The REF form of verify: a registry reference or `oci:LAYOUT`
// instead of a model directory. Only parsing and printing here; the work is in @modelseal/core/attest.
import { isModelsealError, verify, type ArtifactSource, type BundleVerifier } from '@modelseal/core';
import { loadPublicKeyFile } from '@modelseal/core/keys';
import { humanLine, jsonError, printJson } from '../output.js';
import { describeSigner } from './describe-signer.js';
import { warningWithFlags } from '../error-hint.js';

/** `verify REF`: check the signature referrers against the manifest; print the verdict (also as --json). */
export async function verifyReference(
  source: ArtifactSource,
  verifier: BundleVerifier,
  flags: { key?: string; json: boolean },
): Promise<void> {
  const { json } = flags;
  const publicKey = flags.key !== undefined ? await loadPublicKeyFile(flags.key) : undefined;
  try {
    const r = await verify(source, {
      verifier,
      ...(publicKey ? { publicKey } : {}),
    });
    for (const w of r.warnings) process.stderr.write(humanLine(`modelseal: warning: ${warningWithFlags(w)}`));
    if (json) {
      printJson({
        verified: true,
        reference: r.reference,
        digest: r.digest,
        signer: r.signer,
        root: r.signed?.root ?? null,
        signatures: r.checks,
        warnings: r.warnings,
      });
      return;
    }
    process.stdout.write(
      humanLine(
        `verified ${r.reference}@${r.digest}: ${r.checks
          .filter((c) => c.verified)
          .map((c) => c.kind)
          .join(' + ')} signature, signed by ${describeSigner(r.signer)}`,
      ),
    );
  } catch (e) {
    if (json) {
      printJson({
        verified: false,
        error: jsonError(e),
        signatures: isModelsealError(e) ? (e.details?.checks ?? []) : [],
      });
    }
    throw e;
  }
}
