// The `attest` verb: sign any in-toto statement as a DSSE bundle v0.3 with any BundleSigner, and
// `attestModel`: attest a predicate about a model directory (subject = its OMS root) into a file beside it.
import path from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { untilAborted } from '../abort-race.js';
import { ModelsealError } from '../errors.js';
import { hashModel, type HashModelOptions } from '../model/hash-model.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../oms/dsse.js';
import { serializeBundle } from '../sign/dsse-bundle.js';
import { writeFileAtomic } from '../sign/signature-destination.js';
import { defaultSignaturePath } from '../oms/signature-path.js';
import type { BundleSigner } from '../sign/signer.js';
import { buildInTotoStatement, type StatementSubject } from '../in-toto/statement.js';
import { typeFileWord } from '../in-toto/predicate-types.js';

/** A statement to attest: subjects, predicateType URI and the predicate object. */
export interface AttestationStatement {
  subject: StatementSubject[];
  predicateType: string;
  predicate: unknown;
}

/**
 * Signs an in-toto statement (an object, or statement bytes used verbatim) as a Sigstore bundle v0.3
 * holding a DSSE envelope with payloadType `application/vnd.in-toto+json`.
 * Throws MALFORMED_BUNDLE for a statement without subjects or digests, and whatever the signer throws.
 */
export async function attest(
  statement: AttestationStatement | Buffer,
  signer: BundleSigner,
): Promise<SerializedBundle> {
  const payload = Buffer.isBuffer(statement)
    ? statement
    : buildInTotoStatement(statement.subject, statement.predicateType, statement.predicate);
  return signer.signStatement(payload, IN_TOTO_PAYLOAD_TYPE);
}

/**
 * Options of attestModel(): the signer, the predicate, where to write the attestation, and the
 * hashing options.
 */
export interface AttestModelOptions extends Omit<HashModelOptions, 'signaturePath'> {
  signer: BundleSigner;
  predicateType: string;
  predicate: unknown;
  /** Where to write the bundle; default `MODEL.<type>.sigstore.json` beside the model. Never inside it. */
  output?: string;
}

/** What attestModel() wrote: the attestation path and its statement. */
export interface AttestModelResult {
  /** The OMS root of the model: the statement's subject digest. */
  root: string;
  bundle: SerializedBundle;
  output: string;
}

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

/**
 * Hashes a model as `sign` does (leaving out its model.sig), attests `predicate` about its OMS root and
 * writes the bundle atomically. Throws USAGE when the output would land inside the model directory;
 * rejects with `opts.signal`'s reason, writing nothing, when it aborts.
 */
export async function attestModel(modelPath: string, opts: AttestModelOptions): Promise<AttestModelResult> {
  const { signer, predicateType, predicate, output: given, ...hashing } = opts;
  const output = path.resolve(given ?? defaultAttestationPath(modelPath, predicateType));
  if (isInside(output, path.resolve(modelPath))) {
    throw new ModelsealError(
      'USAGE',
      `attestation output '${output}' lies inside the model '${modelPath}'; write it beside the model`,
    );
  }
  const manifest = await hashModel(modelPath, {
    ...hashing,
    signaturePath: await defaultSignaturePath(modelPath),
  });
  const bundle = await untilAborted(
    attest(
      {
        subject: [{ name: manifest.subjectName, digest: { sha256: manifest.root } }],
        predicateType,
        predicate,
      },
      signer,
    ),
    hashing.signal,
  );
  await writeFileAtomic(output, serializeBundle(bundle));
  return { root: manifest.root, bundle, output };
}
