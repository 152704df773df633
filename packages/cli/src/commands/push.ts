// `modelseal push MODEL REF`: package a model directory as a CNCF ModelPack artifact and push it.
import type { Command } from 'commander';
import type { Progress } from '@modelseal/core/transfer';
import { pushModel, pushModelFollowing } from '@modelseal/core/transfer';
import type { BundleSigner, OpenTargetOptions } from '@modelseal/core';
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
import { collect } from './repeatable-option.js';
import { addSignerFlags, signerFromFlags, type SignerFlags } from './attest-flags.js';
import { addFollowFlags, followSettingsFrom, type FollowFlags } from './follow-flags.js';

/** The parsed flags of `push`. */
interface PushFlags extends RegistryFlags, ConcurrencyFlags, SignerFlags, FollowFlags {
  dataset: string[];
  json: boolean;
  sign: boolean;
}

export function registerPush(program: Command): void {
  const cmd = program
    .command('push')
    .description(
      'Package a model directory as a CNCF ModelPack OCI artifact and push it to a registry or OCI layout',
    )
    .argument('<model>', 'model directory')
    .argument('<ref>', 'registry[:port]/repository[:tag] or oci:LAYOUT_DIR[:tag] (tag defaults to latest)')
    .option(
      '--dataset <glob>',
      'pack matching files as datasets (repeatable; without "/" the glob matches file names)',
      collect,
      [],
    )
    .option('--json', 'print {"reference","digest","mediaType","size","layers"} as JSON', false);
  cmd.option(
    '--sign',
    'sign right after the push (OMS + cosign signature referrers); takes the signer flags of sign',
    false,
  );
  addRegistryFlags(cmd);
  addConcurrencyFlag(cmd);
  addSignerFlags(cmd);
  addFollowFlags(cmd);
  cmd.addHelpText(
    'after',
    `
Every file becomes one raw layer whose digest is the file's SHA-256 (the same digest the OMS
signature covers); the media type follows the file's role (weight, weight.config, doc, code,
dataset). The same directory always gives the same manifest digest. A registry reference always
names its host (docker.io/library/NAME for Docker Hub): a short name such as 'm:v1' is refused.

Examples:
  $ modelseal push ./my-model oci:./layout:v1
  $ modelseal push ./my-model 127.0.0.1:5000/models/my-model:v1
  $ echo "$TOKEN" | modelseal push ./my-model ghcr.io/acme/my-model:v1 --username acme --password-stdin
  $ modelseal push ./my-model registry.local/ns/m:v1 --dataset 'data/**' --json

While a training job writes the directory (--follow, see sign --help and docs/training.md), each
file's blob is uploaded as soon as the file is closed and hashed; the manifest (and with --sign
the signatures) follow once the job completes:
  $ modelseal push ./ckpt registry.local/ns/m:v1 --follow --until-file COMPLETE --sign --key k.key
`,
  );
  cmd.action(async (model: string, ref: string, flags: PushFlags) => {
    const follow = followSettingsFrom(flags);
    const options = await registryOptionsFrom(flags);
    const signer = flags.sign ? await signerFromFlags(flags) : undefined;
    const hashBar = progressBar('hashing');
    const pushBar = progressBar('pushing');
    const t0 = performance.now();
    let result;
    try {
      result = await interruptible(`push of ${model} to ${ref} stopped; no manifest was pushed`, (signal) => {
        const pushOptions = {
          ...options,
          concurrency: concurrencyFrom(flags),
          datasets: flags.dataset,
          onHashProgress: (p: Progress) => hashBar.update(p),
          onProgress: (p: Progress) => {
            hashBar.stop();
            pushBar.update(p);
          },
          signal,
        };
        if (!follow) return pushModel(model, ref, pushOptions);
        return pushModelFollowing(model, ref, {
          ...pushOptions,
          ...follow,
          onStart: flags.json ? undefined : () => process.stderr.write(humanLine(`following ${model}`)),
          onUploaded: flags.json
            ? undefined
            : (f, digest) => process.stderr.write(humanLine(`uploaded ${f.name} (${digest})`)),
        });
      });
    } finally {
      hashBar.stop();
      pushBar.stop();
    }
    const signed = signer ? await signPushed(result.reference, options, signer) : undefined;
    if (signed && !flags.json)
      process.stderr.write(
        humanLine(
          `signed ${signed.digest} (${signer?.kind}): OMS ${signed.oms.digest}, cosign ${signed.cosign.digest}`,
        ),
      );
    if (flags.json) {
      printJson({
        ...(signed ? { signatures: { oms: signed.oms.digest, cosign: signed.cosign.digest } } : {}),
        reference: result.reference,
        digest: result.digest,
        mediaType: result.mediaType,
        size: result.size,
        layers: result.layers,
      });
      return;
    }
    const bytes = result.layers.reduce((n, l) => n + l.size, 0);
    process.stdout.write(humanLine(result.reference));
    process.stderr.write(
      humanLine(
        `pushed ${result.layers.length} files (${formatBytes(bytes)}, ${result.skipped} blobs already present) in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
      ),
    );
  });
}

/**
 * `push --sign`: the pushed reference signed where it is stored. The core root (and with it the policy
 * engine) is loaded only here, so a plain push does not pay for it.
 */
async function signPushed(reference: string, options: OpenTargetOptions, signer: BundleSigner) {
  const { artifactSource, sign } = await import('@modelseal/core');
  return sign(artifactSource(reference, options), { signer });
}
