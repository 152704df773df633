// `modelseal inspect REF`: show an artifact's manifest, file layers and referrers tree (like `oras
// discover`), with each signature and attestation: what it is, who signed it and, given identity
// flags (as `verify` takes them), whether it verifies.
import type { Command } from 'commander';
import { inspectEvidence, type ArtifactEvidence, type EvidenceEntry } from '@modelseal/core/attest';
import { loadPublicKeyFile } from '@modelseal/core/keys';
import type { ReferrerNode } from '@modelseal/core/transfer';
import { formatBytes, humanLine, pinnedReference, printJson } from '../output.js';
import { messageWithHint } from '../error-hint.js';
import { addVerifierFlags, verifierFromFlags, type VerifierFlags } from './attest-flags.js';
import { keylessOptionGiven } from './keyless-flags.js';
import { describeSigner } from './describe-signer.js';
import { addRegistryFlags, registryOptionsFrom, type RegistryFlags } from './registry-flags.js';

/** The parsed flags of `inspect`: registry access and, to check the evidence, verify's identity flags. */
interface InspectFlags extends RegistryFlags, VerifierFlags {
  json: boolean;
}

const LABELS: Record<string, string> = {
  'https://model_signing/signature/v1.0': 'OMS signature',
  'https://model_signing/Digests/v0.1': 'OMS signature',
  'https://sigstore.dev/cosign/sign/v1': 'cosign signature',
  'https://slsa.dev/provenance/v1': 'provenance',
  'https://cyclonedx.org/bom': 'SBOM',
};

/** One line about an entry: what it is, who signed it, and the verdict when checked. */
export function evidenceLine(e: EvidenceEntry): string {
  const what =
    e.kind === 'unreadable'
      ? 'unreadable bundle'
      : e.kind === 'cosign-legacy'
        ? 'cosign legacy signature'
        : e.kind === 'attestation'
          ? `${LABELS[e.predicateType ?? ''] ?? 'attestation'} ${e.predicateType ?? '(no predicateType)'}`
          : (LABELS[e.predicateType ?? ''] ?? `${e.kind} signature`);
  const who = e.signer ? `, signed by ${describeSigner(e.signer)}` : '';
  const verdict =
    e.verified === true
      ? ': verified'
      : e.verified === false
        ? `: NOT verified: error[${e.error?.code ?? 'UNKNOWN'}]: ${e.error ? messageWithHint(e.error) : ''}`
        : e.error
          ? `: error[${e.error.code}]: ${messageWithHint(e.error)}`
          : '';
  return `${what}${who}${verdict}`;
}

function referrerLines(
  nodes: ReferrerNode[],
  indent: string,
  evidence: Map<string, EvidenceEntry>,
): string[] {
  const out: string[] = [];
  nodes.forEach((n, i) => {
    const last = i === nodes.length - 1;
    out.push(`${indent}${last ? '└── ' : '├── '}${n.artifactType ?? n.descriptor.mediaType}`);
    const inner = `${indent}${last ? '    ' : '│   '}`;
    out.push(`${inner}└── ${n.descriptor.digest}`);
    const e = evidence.get(n.descriptor.digest);
    if (e) out.push(`${inner}    ${evidenceLine(e)}`);
    out.push(...referrerLines(n.referrers, `${inner}    `, evidence));
  });
  return out;
}

export function renderInspect(r: ArtifactEvidence): string {
  const lines = [pinnedReference(r.reference, r.descriptor.digest)];
  lines.push(`  format:       ${r.format}`);
  if (r.descriptor.artifactType) lines.push(`  artifactType: ${r.descriptor.artifactType}`);
  lines.push(`  mediaType:    ${r.descriptor.mediaType} (${r.descriptor.size} bytes)`);
  const annotations =
    'annotations' in r.manifest && r.manifest.annotations ? Object.entries(r.manifest.annotations) : [];
  for (const [k, v] of annotations) lines.push(`  ${k}: ${v}`);
  if (r.layers.length > 0) {
    const total = r.layers.reduce((n, l) => n + l.size, 0);
    lines.push(`  layers (${r.layers.length}, ${formatBytes(total)}):`);
    for (const l of r.layers) {
      lines.push(
        `    ${l.digest.slice(0, 19)}  ${formatBytes(l.size).padStart(10)}  ${l.mediaType.replace(/^application\//, '')}  ${l.path ?? ''}`.trimEnd(),
      );
    }
  }
  lines.push(r.referrers.length > 0 ? 'referrers:' : 'referrers: none');
  lines.push(...referrerLines(r.referrers, '', new Map(r.evidence.map((e) => [e.source, e]))));
  const legacy = r.evidence.filter((e) => e.kind === 'cosign-legacy');
  if (legacy.length > 0) {
    lines.push(`legacy signatures (${r.descriptor.digest.replace(':', '-')}.sig):`);
    legacy.forEach((e, i) =>
      lines.push(
        `${i === legacy.length - 1 ? '└── ' : '├── '}${e.source.replace(/^.* layer /, 'layer ')}: ${evidenceLine(e)}`,
      ),
    );
  }
  return lines.map(humanLine).join('');
}

const hasIdentityFlags = (flags: VerifierFlags) =>
  flags.key !== undefined ||
  flags.certificateChain.length > 0 ||
  keylessOptionGiven(flags) !== undefined ||
  flags.trustedRoot !== undefined ||
  flags.tufRefresh === true;

export function registerInspect(program: Command): void {
  const cmd = program
    .command('inspect')
    .description(
      'Show an artifact: manifest, file layers, referrers tree, and who signed each signature and attestation',
    )
    .argument('<ref>', 'registry[:port]/repository[:tag|@sha256:...] or oci:LAYOUT_DIR[:tag|@sha256:...]')
    .option('--json', 'print manifest, config, layers, referrers and evidence as JSON', false);
  addRegistryFlags(cmd);
  addVerifierFlags(cmd);
  cmd.addHelpText(
    'after',
    `
Nothing but manifests, a small JSON config and signature bundles is downloaded. Each signature and
attestation shows who its bundle says signed it (key hint, certificate, keyless identity). With
identity flags (--key, --certificate-chain, --certificate-identity ...: the ones 'verify' takes) each
is also checked, as 'verify REF' and 'verify-attestation REF' check them; inspect still exits 0.
Legacy sha256-<hex>.sig signatures are checked with --key only.

Examples:
  $ modelseal inspect 127.0.0.1:5000/models/my-model:v1
  $ modelseal inspect 127.0.0.1:5000/models/my-model:v1 --key cosign.pub
  $ modelseal inspect oci:./layout:v1 --json | jq '.evidence[] | {kind, verified}'
`,
  );
  cmd.action(async (ref: string, flags: InspectFlags) => {
    const checking = hasIdentityFlags(flags);
    const result = await inspectEvidence(ref, {
      ...(await registryOptionsFrom(flags)),
      ...(checking ? { verifier: await verifierFromFlags(flags) } : {}),
      ...(typeof flags.key === 'string' ? { publicKey: await loadPublicKeyFile(flags.key) } : {}),
    });
    if (flags.json === true) printJson(result);
    else process.stdout.write(renderInspect(result));
  });
}
