// Finds PEM blocks inside key and certificate files, tolerating text preambles (certtool, openssl -text).

export interface PemBlock {
  /** The label between BEGIN and END, e.g. `EC PRIVATE KEY`. */
  label: string;
  /** The whole block text, BEGIN to END line inclusive, with a trailing newline. */
  text: string;
  /** The decoded body (headers such as `Proc-Type:` skipped). */
  der: Buffer;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in file order. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = m[2]
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '' && !line.includes(':'))
      .join('');
    out.push({ label: m[1], text: `${m[0].replace(/\r\n/g, '\n')}\n`, der: Buffer.from(body, 'base64') });
  }
  return out;
}

/** Encodes DER bytes as a PEM block with 64-column base64 lines. */
export function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
