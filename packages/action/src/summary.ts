// The job summary (GITHUB_STEP_SUMMARY): a markdown table of what the step signed or verified —
// files, total size, OMS root, manifest digest, signer identity, Rekor entry, attached referrers.
import { X509Certificate } from 'node:crypto';
import * as core from '@actions/core';
import type { SignResult } from '@modelseal/core';

/** One row of the summary table: what, and its value (markdown allowed). */
export type SummaryRow = [string, string];

/** `1.5 MiB (1572864 bytes)`. */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} bytes` : `${v.toFixed(1)} ${units[u]} (${bytes} bytes)`;
}

/** The Rekor entry of a keyless bundle: a search.sigstore.dev link on public-good, else the log index. */
export function rekorEntry(bundle: SignResult['bundle'], publicGood: boolean): string | undefined {
  const entry = bundle.verificationMaterial.tlogEntries?.[0];
  if (!entry) return undefined;
  return publicGood
    ? `[${entry.logIndex}](https://search.sigstore.dev/?logIndex=${entry.logIndex})`
    : `log index ${entry.logIndex}`;
}

/**
 * The identity a keyless bundle's certificate names (its SAN: the workflow URI or the email, as
 * Fulcio derived it from the token), or undefined for key and certificate-chain bundles.
 */
export function certificateIdentity(bundle: SignResult['bundle']): string | undefined {
  const cert = bundle.verificationMaterial.certificate;
  if (!cert) return undefined;
  const san = new X509Certificate(Buffer.from(cert.rawBytes, 'base64')).subjectAltName ?? '';
  const m = /^(?:URI|email):(.*)$/.exec(san.split(', ')[0]);
  return m ? m[1] : undefined;
}

/** Escapes `|` and newlines so a value stays in its table cell. */
const cell = (v: string): string => v.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/**
 * Writes a heading and the table to the job summary (nothing when not on a runner). A blank line
 * separates the `<h3>` from the table: under CommonMark/GFM an HTML block runs until a blank line,
 * and without one GitHub shows the table's raw pipes.
 */
export async function writeSummary(heading: string, rows: SummaryRow[]): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const header = '| | |\n| --- | --- |';
  const body = rows.map(([k, v]) => `| ${cell(k)} | ${cell(v)} |`).join('\n');
  await core.summary.addHeading(heading, 3).addRaw(`\n${header}\n${body}\n`, true).write();
}
