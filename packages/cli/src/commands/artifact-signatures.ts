// The REF forms of sign, verify, attest and verify-attestation: a registry reference or `oci:LAYOUT`
// instead of a model directory. Only parsing and printing here; the work is in @modelseal/core/attest.
import {
  isModelsealError,
  type ArtifactSource,
  type BundleSigner,
  type BundleVerifier,
} from '@modelseal/core';
import { loadPublicKeyFile } from '@modelseal/core/keys';
import {
  type VerifiedAttestation,
  attestArtifact,
  verifyArtifact,
  verifyArtifactAttestation,
} from '@modelseal/core/attest';
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
    const r = await verifyArtifact(source.ref, {
      ...source.options,
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

/** `attest REF`: push an attestation referrer about the manifest digest (and OMS root); print it. */
export async function attestReference(
  source: ArtifactSource,
  signer: BundleSigner,
  predicateType: string,
  predicate: unknown,
  json: boolean,
): Promise<void> {
  const r = await attestArtifact(source.ref, { ...source.options, signer, predicateType, predicate });
  if (json) {
    printJson({
      attested: true,
      reference: r.reference,
      digest: r.digest,
      predicateType,
      referrer: r.referrer.digest,
      subjects: r.subjects,
      method: signer.kind,
    });
    return;
  }
  process.stdout.write(humanLine(r.referrer.digest));
  process.stderr.write(
    humanLine(
      `attested ${predicateType} about ${r.reference}@${r.digest} (${signer.kind}) -> referrer ${r.referrer.digest}`,
    ),
  );
}

/** `verify-attestation REF`: check the attestation referrers of one type; print the predicate. */
export async function verifyAttestationReference(
  source: ArtifactSource,
  verifier: BundleVerifier,
  predicateType: string,
  json: boolean,
): Promise<void> {
  const r = await verifyArtifactAttestation(source.ref, { ...source.options, verifier, predicateType });
  printVerifiedAttestation(
    r,
    json,
    `verified ${predicateType} about ${source.ref} (${r.digest}), signed by ${describeSigner(r.signer)}`,
  );
}

/**
 * Print a verified attestation: its warnings; with `json` the whole verified statement and every
 * check; otherwise `line` on stderr and the predicate on stdout.
 */
export function printVerifiedAttestation(r: VerifiedAttestation, json: boolean, line: string): void {
  for (const w of r.warnings) process.stderr.write(humanLine(`modelseal: warning: ${warningWithFlags(w)}`));
  if (json) {
    printJson({
      verified: true,
      statement: r.statement,
      signer: r.signer,
      source: r.source,
      checks: r.checks.map(({ statement: _s, ...c }) => c),
    });
    return;
  }
  process.stderr.write(humanLine(line));
  printJson(r.statement.predicate);
}
