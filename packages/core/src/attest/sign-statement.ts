// signStatement: sign any in-toto statement as a Sigstore bundle v0.3 holding a DSSE envelope, with
// any BundleSigner. The attest verb and the Action's sign mode both sign through it.
import type { SerializedBundle } from '@sigstore/bundle';
import { IN_TOTO_PAYLOAD_TYPE } from '../oms/dsse.js';
import type { BundleSigner } from '../sign/signer.js';
import { buildInTotoStatement, type AttestationStatement } from '../in-toto/statement.js';

/**
 * Signs an in-toto statement (an object, or statement bytes used verbatim) as a Sigstore bundle v0.3
 * holding a DSSE envelope with payloadType `application/vnd.in-toto+json`.
 * Throws MALFORMED_BUNDLE for a statement without subjects or digests, and whatever the signer throws.
 */
export async function signStatement(
  statement: AttestationStatement | Buffer,
  signer: BundleSigner,
): Promise<SerializedBundle> {
  const payload = Buffer.isBuffer(statement)
    ? statement
    : buildInTotoStatement(statement.subject, statement.predicateType, statement.predicate);
  return signer.signStatement(payload, IN_TOTO_PAYLOAD_TYPE);
}
