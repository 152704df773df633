// Structural parsing of a Sigstore bundle holding an OMS DSSE envelope, with one clear error per
// defect (empty, truncated JSON, wrong mediaType, missing envelope, wrong payloadType, bad base64,
// zero or several signatures). No cryptography here.
import { ModelsealError } from '../errors.js';
import { jsonShapeProblem } from '../json-shape.js';
import { isJsonObject } from '../json-object.js';
import { IN_TOTO_PAYLOAD_TYPE } from './dsse.js';

/** A bundle after structural parsing (see parseBundle), before any cryptographic check. */
export interface ParsedBundle {
  /** The bundle JSON exactly as read, for verifiers that hand it to sigstore-js. */
  json: Record<string, unknown>;
  mediaType: string;
  envelope: {
    payload: Buffer;
    payloadType: string;
    signatures: { sig: Buffer; keyid?: string }[];
  };
  /** Where the bundle came from, for error messages (a file path or an OCI reference). */
  source: string;
}

/** Media types accepted: the v0.3 bundle (both spellings sigstore has used). */
export const ACCEPTED_BUNDLE_MEDIA_TYPES: readonly string[] = [
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
];

/** Decodes standard base64 (padding optional), refusing any other character. */
export function decodeBase64Strict(value: unknown, what: string, source: string): Buffer {
  if (typeof value !== 'string' || value === '')
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: ${what} is missing or empty`);
  if (
    !/^[A-Za-z0-9+/]*={0,2}$/.test(value) ||
    value.length % 4 === 1 ||
    (value.includes('=') && value.length % 4 !== 0)
  ) {
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: ${what} is not valid base64`);
  }
  return Buffer.from(value, 'base64');
}

function checkVerificationMaterial(vm: unknown, source: string): void {
  if (!isJsonObject(vm))
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: bundle has no verificationMaterial`);
  if (vm.tlogEntries !== undefined && !Array.isArray(vm.tlogEntries)) {
    throw new ModelsealError(
      'MALFORMED_BUNDLE',
      `${source}: verificationMaterial.tlogEntries must be a list`,
    );
  }
  if (isJsonObject(vm.publicKey)) {
    // cosign v3 may write no hint at all: the hint is advisory, the verifier's key decides.
    for (const field of ['hint', 'rawBytes'] as const) {
      if (vm.publicKey[field] !== undefined && typeof vm.publicKey[field] !== 'string')
        throw new ModelsealError(
          'MALFORMED_BUNDLE',
          `${source}: verificationMaterial.publicKey.${field} must be a string`,
        );
    }
    return;
  }
  if (isJsonObject(vm.x509CertificateChain)) {
    const certs = vm.x509CertificateChain.certificates;
    if (!Array.isArray(certs) || certs.length === 0) {
      throw new ModelsealError(
        'MALFORMED_BUNDLE',
        `${source}: verificationMaterial.x509CertificateChain has no certificates`,
      );
    }
    certs.forEach((c, i) =>
      decodeBase64Strict(isJsonObject(c) ? c.rawBytes : undefined, `certificate #${i}`, source),
    );
    return;
  }
  if (isJsonObject(vm.certificate)) {
    decodeBase64Strict(vm.certificate.rawBytes, 'verificationMaterial.certificate.rawBytes', source);
    // A Fulcio certificate proves nothing without its transparency log entry.
    if (!Array.isArray(vm.tlogEntries))
      throw new ModelsealError('MALFORMED_BUNDLE', `${source}: keyless bundle has no tlogEntries`);
    return;
  }
  throw new ModelsealError(
    'MALFORMED_BUNDLE',
    `${source}: verificationMaterial has no publicKey, x509CertificateChain or certificate`,
  );
}

/** Parses bundle bytes; throws ModelsealError (MALFORMED_BUNDLE / UNSUPPORTED_MEDIA_TYPE). */
export function parseBundle(bytes: Buffer, source: string): ParsedBundle {
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw new ModelsealError('MALFORMED_BUNDLE', `${source}: signature file is empty`);
  // Structure first, in one pass: 100 MB of `[[[[` must not reach JSON.parse.
  const shape = jsonShapeProblem(bytes);
  if (shape) throw new ModelsealError('MALFORMED_BUNDLE', `${source}: not a Sigstore bundle: ${shape}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the text it choked on: never echo what may be a secret given by mistake.
    throw new ModelsealError(
      'MALFORMED_BUNDLE',
      `${source}: not valid JSON, the file may be truncated (${bytes.length} bytes)`,
    );
  }
  if (!isJsonObject(json))
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: bundle is not a JSON object`);
  const mediaType = json.mediaType;
  if (typeof mediaType !== 'string' || !ACCEPTED_BUNDLE_MEDIA_TYPES.includes(mediaType)) {
    throw new ModelsealError(
      'UNSUPPORTED_MEDIA_TYPE',
      `${source}: unsupported bundle mediaType '${String(mediaType)}' (expected '${ACCEPTED_BUNDLE_MEDIA_TYPES[0]}')`,
    );
  }
  checkVerificationMaterial(json.verificationMaterial, source);
  const env = json.dsseEnvelope;
  if (!isJsonObject(env)) {
    const why =
      json.messageSignature !== undefined
        ? ' (it holds a messageSignature; OMS signatures are DSSE envelopes)'
        : '';
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: bundle has no dsseEnvelope${why}`);
  }
  if (env.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw new ModelsealError(
      'MALFORMED_BUNDLE',
      `${source}: DSSE payloadType is '${String(env.payloadType)}', expected '${IN_TOTO_PAYLOAD_TYPE}'`,
    );
  }
  const payload = decodeBase64Strict(env.payload, 'DSSE payload', source);
  if (!Array.isArray(env.signatures) || env.signatures.length === 0)
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: DSSE envelope has no signature`);
  if (env.signatures.length > 1) {
    throw new ModelsealError(
      'MALFORMED_BUNDLE',
      `${source}: DSSE envelope has ${env.signatures.length} signatures; OMS bundles carry exactly one`,
    );
  }
  const s: unknown = env.signatures[0];
  if (!isJsonObject(s))
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: DSSE signature is not an object`);
  const sig = decodeBase64Strict(s.sig, 'DSSE signature', source);
  if (s.keyid !== undefined && s.keyid !== null && typeof s.keyid !== 'string') {
    throw new ModelsealError('MALFORMED_BUNDLE', `${source}: DSSE signature keyid must be a string`);
  }
  return {
    json,
    mediaType,
    envelope: {
      payload,
      payloadType: env.payloadType,
      signatures: [{ sig, ...(typeof s.keyid === 'string' ? { keyid: s.keyid } : {}) }],
    },
    source,
  };
}
