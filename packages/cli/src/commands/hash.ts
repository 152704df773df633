// `modelseal hash`: print the OMS root digest of a model (and, with --json, every resource digest).
import type { Command } from 'commander';
import { hashModel, type ModelManifest } from '@modelseal/core/hashing';
import { interruptible } from '../interrupt.js';
import { printJsonWithList, progressBar, humanLine } from '../output.js';
import {
  addHashingFlags,
  hashingOptionsFromFlags,
  ignorePathWarnings,
  type HashingFlags,
} from './hashing-flags.js';

function summary(m: ModelManifest, bytes: number, ms: number): string {
  const mib = (bytes / 1048576).toFixed(1);
  const mode = m.config.method === 'shards' ? `shards of ${m.config.shardSize} bytes` : 'files';
  const speed = ms >= 50 ? ` (${(bytes / 1048576 / (ms / 1000)).toFixed(0)} MiB/s)` : '';
  return `${m.resources.length} resources, ${mib} MiB, ${mode}, ${m.config.hashType}, ${(ms / 1000).toFixed(2)} s${speed}\n`;
}

export function registerHash(program: Command): void {
  const cmd = program
    .command('hash')
    .description('Hash a model directory (or file) and print its OMS root digest as sha256:<hex>')
    .argument('<model>', 'model directory or single file')
    .option('--json', 'print the root digest, the hashing settings and every resource digest as JSON', false);
  addHashingFlags(cmd);
  cmd.addHelpText(
    'after',
    `
The root digest is what 'modelseal sign' signs and what Python's 'model_signing digest' prints:
SHA-256 over the raw bytes of every file digest, in UTF-8 order of the file names.
MODEL/model.sig is left out, as sign, verify and push leave it out: hash after sign prints
the signed root.
--method shards hashes 1 GB ranges of big files in parallel (resources 'path:start:end');
blake3 works there too (Python's library would fall back to files for blake3). The Python
CLI verifies only files + sha256 signatures, so keep the defaults when it must verify.

Examples:
  $ modelseal hash ./my-model
  $ modelseal hash ./my-model --json > digests.json
  $ modelseal hash ./llama --method shards --shard-size 1000000000 --jobs 8
  $ modelseal hash ./my-model --ignore-paths ./my-model/README.md --ignore-paths ./my-model/.venv
  $ modelseal hash ~/.cache/huggingface/hub/models--org--m/snapshots/abc --allow-symlinks
`,
  );
  cmd.action(async (model: string, flags: HashingFlags & { json: boolean }) => {
    const options = hashingOptionsFromFlags(flags);
    const warnings = ignorePathWarnings(model, flags.ignorePaths);
    for (const w of warnings) process.stderr.write(humanLine(`modelseal: warning: ${w}`));
    const bar = progressBar('hashing');
    let bytes = 0;
    const t0 = performance.now();
    let manifest: ModelManifest;
    try {
      manifest = await interruptible(`hash of ${model} stopped`, (signal) =>
        hashModel(model, {
          ...options,
          onProgress: (p) => {
            bytes = p.bytesTotal;
            bar.update(p);
          },
          signal,
        }),
      );
    } finally {
      bar.stop();
    }
    const ms = performance.now() - t0;
    if (flags.json) {
      const head = {
        root: manifest.root,
        name: manifest.subjectName,
        method: manifest.config.method,
        hashType: manifest.config.hashType,
        ...(manifest.config.method === 'shards' ? { shardSize: manifest.config.shardSize } : {}),
        allowSymlinks: manifest.allowSymlinks,
        ignorePaths: manifest.ignorePaths,
        warnings,
      };
      printJsonWithList(head, 'resources', manifest.resources, (r) => ({
        name: r.name,
        algorithm: r.algorithm,
        digest: r.digest,
      }));
    } else {
      process.stdout.write(humanLine(`sha256:${manifest.root}`));
      process.stderr.write(summary(manifest, bytes, ms));
    }
  });
}
