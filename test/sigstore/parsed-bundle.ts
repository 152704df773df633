// Turn bundle JSON into the ParsedBundle a BundleVerifier takes, without parseBundle's structural
// checks, so that verifier tests can feed it bundles that only the verifier should reject.
import type { ParsedBundle } from '../../packages/core/src/oms/parse-bundle.js';

export function parsedBundle(json: Record<string, unknown>, source = 'model.sig'): ParsedBundle {
  const env = json.dsseEnvelope as {
    payload: string;
    payloadType: string;
    signatures: { sig: string; keyid?: string }[];
  };
  return {
    json,
    mediaType: json.mediaType as string,
    envelope: {
      payload: Buffer.from(env.payload, 'base64'),
      payloadType: env.payloadType,
      signatures: env.signatures.map((s) => ({ sig: Buffer.from(s.sig, 'base64'), keyid: s.keyid })),
    },
    source,
  };
}
