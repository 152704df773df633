// The `attest` verb: sign a predicate about a model source as a DSSE attestation and store it where
// that source keeps its evidence: beside a model on disk (`MODEL.<type>.sigstore.json`, subject its
// OMS root), or as a referrer of a stored artifact (subjects its manifest digest and OMS root, with
// the predicateType annotation). Subjects, signing and the abort rule are shared by both kinds.
import path from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { untilAborted } from '../abort-race.js';
import { ModelsealError } from '../errors.js';
import type { OpenTargetOptions } from '../oci/open-target.js';
import type { Descriptor } from '../oci/target.js';
import { serializeBundle, singleCertificateBundle } from '../sign/dsse-bundle.js';
import { writeFileAtomic } from '../sign/signature-destination.js';
import type { BundleSigner } from '../sign/signer.js';
import { attachBundle } from '../source/oci-referrers.js';
import type { ModelSource } from '../source/open-model-source.js';
import { resolveModelSource } from '../source/resolve-model-source.js';
import type { StatementSubject } from '../in-toto/statement.js';
import { typeFileWord } from '../in-toto/predicate-types.js';
import { signStatement } from './sign-statement.js';
import { sourceSubjects, type SubjectHashing } from '../source/statement-subjects.js';

/**
 * Options of attest(): the signer and the predicate (with its type URI); for a model on disk where
 * to write the bundle and how to hash; for an artifact the registry options.
 */
export interface AttestOptions extends SubjectHashing, OpenTargetOptions {
  signer: BundleSigner;
  predicateType: string;
  predicate: unknown;
  /**
   * Model on disk only: where to write the bundle; default `MODEL.<type>.sigstore.json` beside the
   * model, never inside it. USAGE with an artifact (its attestation is a referrer).
   */
  output?: string;
}

/** What attest() stored: the file beside a model on disk, or the referrer of an artifact. */
export type AttestResult =
  | {
      kind: 'directory';
      /** The OMS root of the model: the statement's subject digest. */
      root: string;
      subjects: StatementSubject[];
      bundle: SerializedBundle;
      /** The bundle file written. */
      output: string;
    }
  | {
      kind: 'artifact';
      /** The artifact as `registry/repo:tag` or `oci:PATH:tag`. */
      reference: string;
      /** Its manifest digest (`sha256:…`), the first subject. */
      digest: string;
      subjects: StatementSubject[];
      bundle: SerializedBundle;
      /** The attestation referrer pushed. */
      referrer: Descriptor;
    };

/** Default attestation file for a model and predicate type: `MODEL.<type>.sigstore.json`, beside it. */
export function defaultAttestationPath(modelPath: string, predicateType: string): string {
  const abs = path.resolve(modelPath);
  return `${abs}.${typeFileWord(predicateType)}.sigstore.json`;
}

/** True when `file` lies inside directory `dir` (or is it). */
function isInside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Where a model on disk's attestation goes; USAGE when that is inside the model. */
function outputOf(modelPath: string, opts: AttestOptions): string {
  const output = path.resolve(opts.output ?? defaultAttestationPath(modelPath, opts.predicateType));
  if (isInside(output, path.resolve(modelPath))) {
    throw new ModelsealError(
      'USAGE',
      `attestation output '${output}' lies inside the model '${modelPath}'; write it beside the model`,
    );
  }
  return output;
}

/**
 * Attests `predicate` about `source` (a model directory or file, a reference, `oci:LAYOUT`, or an
 * opened ModelSource). On disk: hashes the model as `sign` does (leaving out its model.sig) and writes
 * the bundle atomically (default beside the model). An artifact: reads its manifest only and
 * attaches the bundle as a referrer (a certificate signer's leaf alone in
 * `verificationMaterial.certificate`, the bundle v0.3 form cosign reads). Throws NOT_FOUND for a
 * path that does not exist, USAGE for an output inside the model or `output` with an artifact,
 * BAD_REFERENCE, REGISTRY_AUTH, what the signer throws; rejects with `signal`'s reason, storing
 * nothing, when it aborts.
 */
export async function attest(source: ModelSource | string, options: AttestOptions): Promise<AttestResult> {
  const model = await resolveModelSource(source, options);
  const { signer, predicateType, predicate, output: _output, ...hashing } = options;
  if (model.kind === 'artifact' && options.output !== undefined)
    throw new ModelsealError(
      'USAGE',
      `option 'output' is for a model on disk; ${model.shown} is an artifact (its attestation is stored as a referrer)`,
    );
  const output = model.kind === 'directory' ? outputOf(model.path, options) : undefined;
  const about = await sourceSubjects(model, hashing);
  const bundle = await untilAborted(
    signStatement({ subject: about.subjects, predicateType, predicate }, signer),
    options.signal,
  );
  if (about.kind === 'directory') {
    const file = output as string;
    await writeFileAtomic(file, serializeBundle(bundle));
    return { kind: 'directory', root: about.root, subjects: about.subjects, bundle, output: file };
  }
  const { artifact } = about;
  const referrer = await attachBundle(
    artifact.target,
    artifact.plan.descriptor,
    serializeBundle(singleCertificateBundle(bundle)),
    predicateType,
  );
  return {
    kind: 'artifact',
    reference: artifact.shown,
    digest: artifact.plan.descriptor.digest,
    subjects: about.subjects,
    bundle,
    referrer,
  };
}
