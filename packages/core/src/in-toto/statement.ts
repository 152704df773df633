// in-toto Statements: build the v1 statement we sign, and read back v1 and v0.1 statements
// (cosign still writes v0.1 for `cosign attest`), with subjects matched by digest only.
import { ModelsealError } from '../errors.js';
import { isJsonObject } from '../json-object.js';

/** The in-toto Statement v1 `_type`. */
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
/** The in-toto Statement v0.1 `_type` (still written by cosign attest). */
export const IN_TOTO_STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';

/** An in-toto ResourceDescriptor used as a subject: `digest` is required, `name` usual. */
export interface StatementSubject {
  name?: string;
  digest: Record<string, string>;
  annotations?: Record<string, unknown>;
}

/** A statement to sign: subjects, predicateType URI and the predicate object. */
export interface AttestationStatement {
  subject: StatementSubject[];
  predicateType: string;
  predicate: unknown;
}

/** A statement as read back from a verified payload. */
export interface InTotoStatement {
  _type: string;
  subject: StatementSubject[];
  predicateType: string;
  predicate: Record<string, unknown>;
}

const HEX = /^[0-9a-f]+$/;

/**
 * Compact JSON bytes of an in-toto Statement v1. Throws ModelsealError MALFORMED_BUNDLE when a subject
 * has no digest or a predicate is not a JSON object (a statement that could never verify).
 */
export function buildInTotoStatement(
  subjects: StatementSubject[],
  predicateType: string,
  predicate: unknown,
): Buffer {
  if (subjects.length === 0)
    throw new ModelsealError('MALFORMED_BUNDLE', 'an attestation needs at least one subject');
  for (const s of subjects) {
    const entries = Object.entries(s.digest);
    if (entries.length === 0 || entries.some(([, v]) => !HEX.test(v))) {
      throw new ModelsealError('MALFORMED_BUNDLE', `subject '${s.name ?? ''}' needs a lowercase hex digest`);
    }
  }
  if (!isJsonObject(predicate))
    throw new ModelsealError('MALFORMED_BUNDLE', 'the predicate must be a JSON object');
  const statement = {
    _type: IN_TOTO_STATEMENT_V1,
    subject: subjects.map((s) => ({
      ...(s.name !== undefined ? { name: s.name } : {}),
      digest: s.digest,
      ...(s.annotations ? { annotations: s.annotations } : {}),
    })),
    predicateType,
    predicate,
  };
  return Buffer.from(JSON.stringify(statement), 'utf8');
}

/** Parses verified payload bytes as an in-toto Statement v1 or v0.1. Throws MALFORMED_BUNDLE. */
export function parseInTotoStatement(payload: Buffer, source: string): InTotoStatement {
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: the signed statement is not valid JSON`);
  }
  if (!isJsonObject(v))
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: the signed statement is not a JSON object`);
  if (v._type !== IN_TOTO_STATEMENT_V1 && v._type !== IN_TOTO_STATEMENT_V01) {
    throw new ModelsealError(
      'MALFORMED_BUNDLE',
      `${source}: statement _type '${String(v._type)}' is not an in-toto Statement`,
    );
  }
  if (typeof v.predicateType !== 'string' || v.predicateType === '')
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: statement has no predicateType`);
  if (!Array.isArray(v.subject) || v.subject.length === 0)
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: statement has no subject`);
  const subject = v.subject.map((s, i): StatementSubject => {
    if (!isJsonObject(s) || !isJsonObject(s.digest))
      throw new ModelsealError('MALFORMED_BUNDLE', `${source}: subject #${i} has no digest`);
    const digest: Record<string, string> = {};
    for (const [alg, value] of Object.entries(s.digest)) {
      if (typeof value !== 'string')
        throw new ModelsealError('MALFORMED_BUNDLE', `${source}: subject #${i} digest is not a string`);
      digest[alg] = value.toLowerCase();
    }
    return {
      ...(typeof s.name === 'string' ? { name: s.name } : {}),
      digest,
      ...(isJsonObject(s.annotations) ? { annotations: s.annotations } : {}),
    };
  });
  const predicate = v.predicate === undefined || v.predicate === null ? {} : v.predicate;
  if (!isJsonObject(predicate))
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: statement predicate is not an object`);
  return { _type: v._type, subject, predicateType: v.predicateType, predicate };
}

/** True when some subject carries `sha256:<hex>` (given as `sha256:<hex>` or bare hex). */
export function hasSubjectDigest(statement: InTotoStatement, digest: string): boolean {
  const hex = digest.replace(/^sha256:/, '').toLowerCase();
  return statement.subject.some((s) => s.digest.sha256 === hex);
}

/**
 * The predicate of a document given as `--predicate`: the document itself, or, when it is a whole
 * in-toto statement (as `modelseal provenance` writes), its predicate, whose predicateType must then
 * be `predicateType` (else USAGE).
 */
export function unwrapPredicate(doc: unknown, predicateType: string, source: string): unknown {
  if (
    !isJsonObject(doc) ||
    typeof doc._type !== 'string' ||
    !doc._type.startsWith('https://in-toto.io/Statement/')
  )
    return doc;
  if (doc.predicateType !== predicateType) {
    throw new ModelsealError(
      'USAGE',
      `${source} is a statement with predicateType '${String(doc.predicateType)}', not '${predicateType}'`,
    );
  }
  return doc.predicate;
}
