// `modelseal inspect REF`: show an artifact's manifest, file layers and referrers tree (like `oras discover`).
import type { Command } from 'commander';
import { inspectArtifact, type InspectResult, type ReferrerNode } from '@modelseal/core/transfer';
import { formatBytes, humanLine, pinnedReference, printJson } from '../output.js';
import { addRegistryFlags, registryOptionsFrom, type RegistryFlags } from './registry-flags.js';

function referrerLines(nodes: ReferrerNode[], indent: string): string[] {
  const out: string[] = [];
  nodes.forEach((n, i) => {
    const last = i === nodes.length - 1;
    out.push(`${indent}${last ? '└── ' : '├── '}${n.artifactType ?? n.descriptor.mediaType}`);
    const inner = `${indent}${last ? '    ' : '│   '}`;
    out.push(`${inner}└── ${n.descriptor.digest}`);
    out.push(...referrerLines(n.referrers, `${inner}    `));
  });
  return out;
}

export function renderInspect(r: InspectResult): string {
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
  lines.push(...referrerLines(r.referrers, ''));
  return lines.map(humanLine).join('');
}

export function registerInspect(program: Command): void {
  const cmd = program
    .command('inspect')
    .description(
      'Show an artifact: manifest, file layers (path, media type, size, digest) and its referrers tree',
    )
    .argument('<ref>', 'registry[:port]/repository[:tag|@sha256:...] or oci:LAYOUT_DIR[:tag|@sha256:...]')
    .option('--json', 'print manifest, config, layers and referrers as JSON', false);
  addRegistryFlags(cmd);
  cmd.addHelpText(
    'after',
    `
Nothing but manifests (and a small JSON config) is downloaded.

Examples:
  $ modelseal inspect 127.0.0.1:5000/models/my-model:v1
  $ modelseal inspect oci:./layout:v1 --json | jq '.layers[].path'
`,
  );
  cmd.action(async (ref: string, flags: RegistryFlags & { json: boolean }) => {
    const result = await inspectArtifact(ref, await registryOptionsFrom(flags));
    if (flags.json) printJson(result);
    else process.stdout.write(renderInspect(result));
  });
}
