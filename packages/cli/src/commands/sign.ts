// `modelseal sign`: hash a model and write an OMS signature (Sigstore bundle v0.3) signed with a
// private key, a key + certificate chain, or keylessly with Sigstore.
import type { Command } from 'commander';
import {
  ModelsealError,
  certificateSigner,
  keySigner,
  sign,
  signModelFollowing,
  tlogOfServices,
  type BundleSigner,
  type TlogUploadOptions,
} from '@modelseal/core';
import { loadCertificateFiles, loadPrivateKeyFile } from '@modelseal/core/keys';
import { manifestFiles, type SignedManifest } from '@modelseal/core/oms';
import { interruptible } from '../interrupt.js';
import { printJson, progressBar, humanLine } from '../output.js';
import {
  addHashingFlags,
  hashingOptionsFromFlags,
  ignorePathWarnings,
  type HashingFlags,
} from './hashing-flags.js';
import { addKeylessSignFlags, keylessSignerFromFlags, type KeylessSignFlags } from './keyless-flags.js';
import { canPrompt, promptPassword } from './password-prompt.js';
import { addKeySignFlags, type KeySignFlags } from './key-sign-flags.js';
import { addFollowFlags, followSettingsFrom, type FollowFlags } from './follow-flags.js';
import { MODEL_ARGUMENT_HELP, openModelArgument } from './model-argument.js';
import { addRegistryFlags, type RegistryFlags } from './registry-flags.js';

/** Every flag a signer comes from: key, certificate chain or keyless. */
export type SignerFlags = KeySignFlags & KeylessSignFlags;

/** The parsed flags of `sign`. */
interface SignFlags extends SignerFlags, HashingFlags, FollowFlags, RegistryFlags {
  signature?: string;
  overwrite: boolean;
  json: boolean;
}

export async function signerFromFlags(flags: SignerFlags): Promise<BundleSigner> {
  const { key, certificate, certificateChain: chain } = flags;
  if (!key) {
    if (certificate || chain.length)
      throw new ModelsealError(
        'USAGE',
        '--certificate and --certificate-chain need --key (the private key of the certificate)',
      );
    if (flags.tlogUpload)
      throw new ModelsealError(
        'USAGE',
        '--tlog-upload applies to --key signing: keyless signatures are logged by the Rekor of their instance anyway',
      );
    return keylessSignerFromFlags(flags);
  }
  if (chain.length && !certificate)
    throw new ModelsealError('USAGE', '--certificate-chain needs --certificate (the signing certificate)');
  const privateKey = await loadPrivateKeyFile(key, {
    askPassword: canPrompt() ? () => promptPassword(`Enter password for private key ${key}: `) : undefined,
  });
  const tlog = flags.tlogUpload ? await tlogFromFlags(flags) : undefined;
  if (!certificate) return keySigner({ privateKey, tlog });
  const [leaf, ...extra] = await loadCertificateFiles([certificate]);
  const intermediates = [...extra, ...(await loadCertificateFiles(chain))];
  return certificateSigner({ privateKey, certificate: leaf, chain: intermediates, tlog });
}

/** sign's flags that only apply to a model on disk (an artifact's layers are already digested). */
const SIGN_DISK_ONLY = [
  'signature',
  'overwrite',
  'method',
  'shardSize',
  'hash',
  'jobs',
  'ignorePaths',
  'allowSymlinks',
  'ignoreGitPaths',
] as const;

/** The Rekor `--tlog-upload` logs to: the signing config's, Sigstore staging's, or public-good's. */
async function tlogFromFlags(flags: SignerFlags): Promise<TlogUploadOptions> {
  const { loadSigningConfig, PUBLIC_GOOD_SERVICES, STAGING_SERVICES } =
    await import('@modelseal/core/sigstore');
  if (flags.signingConfig)
    return tlogOfServices(
      await loadSigningConfig(flags.signingConfig),
      `signing config ${flags.signingConfig}`,
    );
  return flags.staging
    ? tlogOfServices(STAGING_SERVICES, "Sigstore's staging instance")
    : tlogOfServices(PUBLIC_GOOD_SERVICES, 'the public-good instance');
}

export function registerSign(program: Command): void {
  const cmd = program
    .command('sign')
    .description(
      'Sign a model: write an OMS signature (Sigstore bundle) next to a directory or file, or attach it to an artifact as a referrer',
    )
    .argument('<model>', MODEL_ARGUMENT_HELP);
  addKeySignFlags(cmd)
    .option(
      '--signature <path>',
      'where to write the signature (default MODEL/model.sig, or MODEL.sig for a file)',
    )
    .option(
      '--overwrite',
      'replace an existing signature at the signature path (never a key, certificate or other file)',
      false,
    )
    .option('--json', 'print the result as JSON', false);
  addHashingFlags(cmd);
  addFollowFlags(cmd);
  cmd.addHelpText(
    'after',
    `
Signatures are byte-compatible with the Python model_signing CLI ('model_signing verify key|certificate').
The signature file is left out of the model's hashes and recorded in ignore_paths.
An existing signature is replaced only with --overwrite; any other existing file (a key, a
certificate, a weight) is never replaced.

Examples:
  $ modelseal keygen --output-prefix mykey          # writes mykey.key (encrypted) + mykey.pub
  $ COSIGN_PASSWORD=... modelseal sign ./my-model --key mykey.key
  $ modelseal sign ./my-model --key leaf.key --certificate leaf.pem --certificate-chain intermediate.pem
  $ modelseal sign ./my-model --key mykey.key --signature ./my-model.sig --ignore-paths ./my-model/notes
  $ modelseal sign ./model.safetensors --key mykey.key      # writes ./model.safetensors.sig
  $ modelseal sign 127.0.0.1:5000/models/my-model:v1 --key mykey.key   # OMS + cosign referrers
  $ echo "$TOKEN" | modelseal sign ghcr.io/acme/my-model:v1 --key mykey.key --username acme --password-stdin
  $ modelseal sign oci:./layout:v1 --key mykey.key
  $ modelseal sign ./my-model --key mykey.key --tlog-upload  # also logged in public-good Rekor, as cosign does

Key and certificate signatures are not logged unless --tlog-upload (a private key publishes nothing
to a public log unless asked); cosign then verifies them only with --insecure-ignore-tlog. With
--tlog-upload the Rekor of --signing-config is used (default public-good's), and verify checks the
entry against the Rekor logs of --trusted-root.

Signing while a training job writes the checkpoint (--follow): each file is hashed as soon as it
is closed (from the page cache), again if it is written again, and the signature is written once
the marker file appears (--until-file), the writer exits (--until-pid) or nothing changed for
--quiet-period (default 30s when neither is given). It covers exactly the files present then; a
file still open for writing (seen in /proc) is waited for, a file changed after it was hashed is
hashed again. See docs/training.md.
  $ modelseal sign ./ckpt --key mykey.key --follow --until-file COMPLETE
  $ modelseal sign ./ckpt --key mykey.key --follow --until-pid "$TRAINER_PID" --json
`,
  );
  addKeylessSignFlags(cmd);
  addRegistryFlags(cmd);
  cmd.action(async (model: string, flags: SignFlags) => {
    const follow = followSettingsFrom(flags);
    const source = await openModelArgument(model, flags, { command: cmd, attributes: SIGN_DISK_ONLY });
    if (source.kind === 'artifact') {
      if (follow) throw new ModelsealError('USAGE', '--follow signs a directory, not an artifact reference');
      const signer = await signerFromFlags(flags);
      return printSignedReference(await sign(source, { signer }), signer.kind, flags.json);
    }
    const hashing = hashingOptionsFromFlags(flags);
    if (follow) return signFollowing(model, flags, hashing, follow);
    const warnings = ignorePathWarnings(model, flags.ignorePaths);
    for (const w of warnings) process.stderr.write(humanLine(`modelseal: warning: ${w}`));
    const signer = await signerFromFlags(flags);
    const bar = progressBar('hashing');
    let result;
    try {
      result = await interruptible(`sign of ${model} stopped; no signature written`, (signal) =>
        sign(source, {
          ...hashing,
          signer,
          signaturePath: flags.signature,
          overwrite: flags.overwrite,
          protectedPaths: [flags.key, flags.certificate, ...flags.certificateChain].filter(
            (p): p is string => typeof p === 'string',
          ),
          onProgress: (p) => bar.update(p),
          signal,
        }),
      );
    } finally {
      bar.stop();
    }
    printSigned(result, signer.kind, flags.json, { warnings }, '');
  });
}

/** What `sign REF` prints: `REF@DIGEST` on stdout and the two referrers on stderr, or one JSON object. */
function printSignedReference(
  r: { reference: string; digest: string; root: string; oms: { digest: string }; cosign: { digest: string } },
  method: string,
  json: boolean,
): void {
  if (json) {
    printJson({
      signed: true,
      reference: r.reference,
      digest: r.digest,
      root: r.root,
      method,
      referrers: { oms: r.oms.digest, cosign: r.cosign.digest },
    });
    return;
  }
  process.stdout.write(humanLine(`${r.reference}@${r.digest}`));
  process.stderr.write(
    humanLine(
      `signed ${r.reference} (${r.digest}, OMS root sha256:${r.root}, ${method}): OMS signature ${r.oms.digest}, cosign signature ${r.cosign.digest}`,
    ),
  );
}

/** What `sign` prints: the signature path on stdout and a summary on stderr, or one JSON object. */
function printSigned(
  result: {
    manifest: Pick<SignedManifest, 'root' | 'subjectName' | 'resources' | 'ignorePaths' | 'config'>;
    signaturePath: string;
  },
  method: string,
  json: boolean | undefined,
  extra: Record<string, unknown>,
  how: string,
): void {
  const { manifest, signaturePath } = result;
  if (json) {
    printJson({
      signed: true,
      signaturePath,
      method,
      root: manifest.root,
      files: manifestFiles(manifest).length,
      ignorePaths: manifest.ignorePaths,
      ...extra,
    });
    return;
  }
  process.stdout.write(humanLine(signaturePath));
  process.stderr.write(
    humanLine(
      `signed ${manifest.subjectName} (sha256:${manifest.root}, ${manifest.resources.length} resources, ${method})${how} -> ${signaturePath}`,
    ),
  );
}

/** `sign DIR --follow`: follow the directory, print each hashed file, then the signature. */
async function signFollowing(
  model: string,
  flags: SignFlags,
  hashing: ReturnType<typeof hashingOptionsFromFlags>,
  follow: NonNullable<ReturnType<typeof followSettingsFrom>>,
): Promise<void> {
  const signer = await signerFromFlags(flags);
  const result = await interruptible(`sign --follow of ${model} stopped; no signature written`, (signal) =>
    signModelFollowing(model, {
      ...hashing,
      ...follow,
      signer,
      signaturePath: flags.signature,
      overwrite: flags.overwrite,
      protectedPaths: [flags.key, flags.certificate, ...flags.certificateChain].filter(
        (p): p is string => typeof p === 'string',
      ),
      onStart: flags.json ? undefined : () => process.stderr.write(humanLine(`following ${model}`)),
      onHashed: flags.json
        ? undefined
        : (f) => process.stderr.write(humanLine(`hashed ${f.name} (${f.size} bytes)`)),
      signal,
    }),
  );
  printSigned(
    result,
    signer.kind,
    flags.json,
    { completion: result.completion, hashedAtSigning: result.hashed, warnings: [] },
    ` on ${result.completion}, ${result.hashed.length} files hashed at signing`,
  );
}
