// `modelseal copy SRC DST`: copy an artifact (and by default its referrers) between registries and layouts.
import type { Command } from 'commander';
import { copyArtifact } from '@modelseal/core/transfer';
import { interruptible } from '../interrupt.js';
import { formatBytes, printJson, progressBar, humanLine } from '../output.js';
import {
  addConcurrencyFlag,
  addRegistryFlags,
  concurrencyFrom,
  registryOptionsFrom,
  type ConcurrencyFlags,
  type RegistryFlags,
} from './registry-flags.js';

/** The parsed flags of `copy`. */
interface CopyFlags extends RegistryFlags, ConcurrencyFlags {
  referrers: boolean;
  json: boolean;
}

export function registerCopy(program: Command): void {
  const cmd = program
    .command('copy')
    .description(
      'Copy an artifact with its signatures and attestations (referrers) between registries and OCI layouts',
    )
    .argument('<src>', 'source: registry[:port]/repository[:tag|@sha256:...] or oci:LAYOUT_DIR[:tag]')
    .argument(
      '<dst>',
      'destination: registry[:port]/repository[:tag] or oci:LAYOUT_DIR[:tag] (tag defaults to the source tag)',
    )
    .option('--no-referrers', 'copy only the artifact, not the manifests that refer to it')
    .option('--json', 'print {"reference","digest","referrers","blobsCopied","blobsSkipped"} as JSON', false);
  addRegistryFlags(cmd);
  addConcurrencyFlag(cmd);
  cmd.addHelpText(
    'after',
    `
Blobs the destination already has are skipped; everything is streamed and digest-checked.
The same --username/--password-stdin credentials are used for every registry involved.

Examples:
  $ modelseal copy 127.0.0.1:5000/models/m:v1 oci:./offline-layout:v1
  $ modelseal copy oci:./offline-layout:v1 registry.internal/models/m:v1
  $ modelseal copy registry.a/models/m:v1 registry.b/models/m --no-referrers
`,
  );
  cmd.action(async (src: string, dst: string, flags: CopyFlags) => {
    const options = await registryOptionsFrom(flags);
    const bar = progressBar('copying');
    let result;
    try {
      result = await interruptible(`copy of ${src} to ${dst} stopped`, (signal) =>
        copyArtifact(src, dst, {
          ...options,
          referrers: flags.referrers,
          concurrency: concurrencyFrom(flags),
          onProgress: (p) => bar.update(p),
          signal,
        }),
      );
    } finally {
      bar.stop();
    }
    const { reference } = result;
    if (flags.json) {
      printJson({
        reference,
        digest: result.descriptor.digest,
        referrers: result.referrers.map((r) => r.digest),
        blobsCopied: result.blobsCopied,
        blobsSkipped: result.blobsSkipped,
      });
      return;
    }
    process.stdout.write(humanLine(reference));
    process.stderr.write(
      humanLine(
        `copied ${result.blobsCopied} blobs (${formatBytes(result.bytesCopied)}), skipped ${result.blobsSkipped}, ${result.referrers.length} referrers`,
      ),
    );
  });
}
