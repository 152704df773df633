// The JSON shapes of an OMS signature file (Sigstore bundle v0.3 + DSSE) and of its in-toto
// statement, as tests read and edit them; JSON.parse results are typed here instead of `any`.

export interface TlogEntryJson {
  logIndex: string;
  kindVersion: { kind: string; version: string };
  inclusionPromise?: { signedEntryTimestamp: string };
  [field: string]: unknown;
}

export interface BundleJson {
  mediaType: string;
  verificationMaterial: {
    publicKey?: { hint: string };
    certificate?: { rawBytes: string };
    x509CertificateChain?: { certificates: { rawBytes: string }[] };
    tlogEntries: TlogEntryJson[];
    timestampVerificationData?: { rfc3161Timestamps: { signedTimestamp: string }[] };
  };
  dsseEnvelope: { payload: string; payloadType: string; signatures: { sig: string; keyid: string }[] };
}

export interface StatementJson {
  _type: string;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: {
    resources: { name: string; algorithm: string; digest: string }[];
    serialization: {
      method: string;
      hash_type: string;
      allow_symlinks: boolean;
      ignore_paths: string[];
      [field: string]: unknown;
    };
    [field: string]: unknown;
  };
}

/** Parse signature-file text as bundle JSON. */
export function bundleJson(text: string): BundleJson {
  return JSON.parse(text) as BundleJson;
}

/** Parse statement text as in-toto statement JSON. */
export function statementJson(text: string): StatementJson {
  return JSON.parse(text) as StatementJson;
}

/** The in-toto statement a bundle's DSSE envelope carries. */
export function statementOf(bundle: Pick<BundleJson, 'dsseEnvelope'>): StatementJson {
  return statementJson(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
}
