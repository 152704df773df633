// The non-standard PAE that model_signing 0.2.0 signed: `DSSEV1 <len(type)> <type> <len(body)> `
// followed by Python's `repr()` of the payload bytes (b'...' with escapes), hashed with SHA-256
// whatever the curve. Used only as a fallback when verifying.

/** Python's repr() of a bytes object, e.g. b'{\n  "a": 1\n}'. */
export function pythonBytesRepr(data: Buffer): string {
  const quote = data.includes(0x27) && !data.includes(0x22) ? '"' : "'";
  const q = quote.charCodeAt(0);
  let out = `b${quote}`;
  for (const c of data) {
    if (c === q || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(c);
  }
  return `${out}${quote}`;
}

/** The 0.2.0 compat pre-authentication encoding. */
export function legacyPreAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const typeLen = Buffer.byteLength(payloadType, 'utf8');
  return Buffer.from(
    `DSSEV1 ${typeLen} ${payloadType} ${payload.length} ${pythonBytesRepr(payload)}`,
    'utf8',
  );
}
