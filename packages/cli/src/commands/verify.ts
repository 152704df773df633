// `modelseal verify`: check a model against its OMS signature with a public key, trust anchors for
// a certificate chain, or a Sigstore identity. Exit 0 verified, 1 verification failed, 2 bad input.
import type { Command } from 'commander';
import {
  ModelsealError,
  certificateVerifier,
  keyVerifier,
  verify,
  type BundleVerifier,
  type SignedManifest,
  type SignerIdentity,
} from '@modelseal/core';
import { loadCertificateFiles, loadPublicKeyFile } from '@modelseal/core/keys';
import { manifestFiles } from '@modelseal/core/oms';
import { Interrupted, interruptible } from '../interrupt.js';
import { jsonError, printJson, progressBar, humanLine } from '../output.js';
import { hashingOptionsFromFlags, ignorePathWarnings, maxJobs } from './hashing-flags.js';
import {
  addKeylessVerifyFlags,
  keylessOptionGiven,
  keylessVerifierFromFlags,
  trustedRootFromFlags,
  type KeylessVerifyFlags,
} from './keyless-flags.js';
import { collect } from './repeatable-option.js';
import { addPolicyVerifyFlags, verifyWithPolicy, type PolicyVerifyFlags } from './policy-verify.js';
import { verifyReference } from './artifact-signatures.js';
import { describeSigner } from './describe-signer.js';
import { MODEL_ARGUMENT_HELP, openModelArgument } from './model-argument.js';
import { addRegistryFlags, type RegistryFlags } from './registry-flags.js';
import { warningWithFlags } from '../error-hint.js';

/** The verifier --key, --certificate-chain or the keyless flags ask for (shared with `watch`). */
/** The parsed --key and --certificate-chain (trust anchors) of a verifying command. */
export interface KeyVerifyFlags {
  key?: string;
  certificateChain: string[];
}

/** Every flag a verifier comes from: key, trust anchors or keyless. */
export type VerifierFlags = KeyVerifyFlags & KeylessVerifyFlags;

/** The parsed flags of `verify` (the --policy ones included). */
interface VerifyFlags extends VerifierFlags, PolicyVerifyFlags, RegistryFlags {
  signature?: string;
  /** --strict true, --no-strict false, neither: strict only with --policy */
  strict?: boolean;
  ignoreUnsignedFiles: boolean;
  ignorePaths: string[];
  ignoreGitPaths: boolean;
  jobs?: string;
  json: boolean;
}

export async function verifierFromFlags(flags: VerifierFlags): Promise<BundleVerifier> {
  const { key, certificateChain: anchors } = flags;
  if (key && anchors.length)
    throw new ModelsealError('USAGE', 'give either --key or --certificate-chain, not both');
  if (key || anchors.length) {
    const mode = key ? '--key' : '--certificate-chain';
    const keyless = keylessOptionGiven(flags);
    if (keyless)
      throw new ModelsealError(
        'USAGE',
        `${keyless} is a keyless option: it cannot be checked with ${mode}, give one mode only`,
      );
  }
  // The trust root's Rekor logs check the log entries a key/certificate bundle may carry (--tlog-upload).
  if (key)
    return keyVerifier({ publicKey: await loadPublicKeyFile(key), trustedRoot: trustedRootFromFlags(flags) });
  if (anchors.length)
    return certificateVerifier({
      trustAnchors: await loadCertificateFiles(anchors),
      trustedRoot: trustedRootFromFlags(flags),
    });
  return keylessVerifierFromFlags(flags);
}

/** verify's flags that only apply to a model on disk (a reference's evidence is its referrers). */
const VERIFY_DISK_ONLY = [
  'signature',
  'attestation',
  'ignoreUnsignedFiles',
  'ignorePaths',
  'ignoreGitPaths',
  'jobs',
] as const;

export function registerVerify(program: Command): void {
  const cmd = program
    .command('verify')
    .description(
      'Verify a model (directory, file, or artifact reference) against its OMS signature, or against a policy',
    )
    .argument('<model>', MODEL_ARGUMENT_HELP)
    .option('--key <file>', 'public key (PEM) the model was signed with')
    .option(
      '--certificate-chain <file>',
      'trust anchor certificates (PEM) for certificate-signed models; repeatable',
      collect,
      [],
    )
    .option('--signature <path>', 'signature to check (default MODEL/model.sig, or MODEL.sig for a file)')
    .option(
      '--strict',
      'fail (IGNORED_PATH) when paths verify leaves out (.git, .gitattributes, .github, .gitignore, signed ignore_paths) exist in the model (the default with --policy)',
    )
    .option('--no-strict', 'with --policy: only warn about such paths')
    .option(
      '--ignore-unsigned-files',
      'allow files that the signature does not list (only signed files are hashed)',
      false,
    )
    .option(
      '--ignore-paths <path>',
      'also leave out this path (relative to the current directory, or absolute); repeatable',
      collect,
      [],
    )
    .option(
      '--no-ignore-git-paths',
      'for signatures that do not record their ignore_paths (model_signing <= 1.0): do not leave out .git, .gitattributes, .github and .gitignore at the top level',
    )
    .option('--jobs <n>', `parallel hashing threads (default: number of CPUs; at most ${maxJobs()})`)
    .option(
      '--json',
      'print {"verified", "error", "signer", "root", "files"} as JSON, also on failure',
      false,
    );
  cmd.addHelpText(
    'after',
    `
The hashing method, hash type, shard size, symlink policy and ignored paths are taken from the
signature, so a model verifies exactly as it was signed: git paths are left out only when the
signature's ignore_paths name them. --ignore-unsigned-files skips only whole files the signature
never names; every signed file must match from its first byte to its last. Signatures made by the Python
model_signing CLI (v0.2 to v1.1) verify too.

Certificate chains are checked at the leaf certificate's notBefore (the signing time
model_signing assumes; these bundles carry no trusted timestamp), with RFC 5280 path validation:
a leaf passed itself in --certificate-chain is trusted as pinned (like model_signing and
OpenSSL) and any other self-signed leaf fails, unknown critical extensions and name-constraint
violations fail, and every ExtendedKeyUsage on the path must allow codeSigning. Each certificate on the
path that is expired now is named in a warning.

Examples:
  $ modelseal verify ./my-model --key mykey.pub
  $ modelseal verify ./my-model --certificate-chain ca.pem --signature ./my-model.sig
  $ modelseal verify ./my-model --key mykey.pub --ignore-unsigned-files --json
  $ modelseal verify ./my-model --key mykey.pub --trusted-root trusted_root.json  # its Rekor logged the signature (--tlog-upload)
  $ modelseal verify ./model.safetensors --key mykey.pub          # reads ./model.safetensors.sig
  $ modelseal verify 127.0.0.1:5000/models/my-model:v1 --key mykey.pub   # its signature referrers
  $ echo "$TOKEN" | modelseal verify ghcr.io/acme/my-model:v1 --key mykey.pub --username acme --password-stdin
  $ modelseal verify oci:./layout:v1 --policy policy.yaml --json
For a reference, the OMS signature (and cosign signature) referrers are checked against the layer
digests of its manifest; no weight is downloaded.

Exit status: 0 verified, 1 verification failed (tampered/missing/extra file, wrong key, untrusted
chain, bad signature), 2 bad usage or unreadable input.
`,
  );
  addKeylessVerifyFlags(cmd);
  addPolicyVerifyFlags(cmd);
  addRegistryFlags(cmd);
  cmd.action(async (model: string, flags: VerifyFlags) => {
    const source = await openModelArgument(model, flags, { command: cmd, attributes: VERIFY_DISK_ONLY });
    if (flags.policy !== undefined) return verifyWithPolicy(source, flags.policy, flags);
    if (source.kind === 'artifact') return verifyReference(source, await verifierFromFlags(flags), flags);
    const json = flags.json;
    // What the signature said, once it is trusted: reported by --json even when the hash fails.
    const seen: { signer: SignerIdentity | null; manifest: SignedManifest | null } = {
      signer: null,
      manifest: null,
    };
    const bar = progressBar('verifying');
    try {
      const hashing = hashingOptionsFromFlags({
        ignorePaths: flags.ignorePaths,
        ignoreGitPaths: flags.ignoreGitPaths,
        jobs: flags.jobs,
      });
      const ignoreWarnings = ignorePathWarnings(model, flags.ignorePaths);
      for (const w of ignoreWarnings) process.stderr.write(humanLine(`modelseal: warning: ${w}`));
      const verifier = await verifierFromFlags(flags);
      const result = await interruptible(`verify of ${model} stopped`, (signal) =>
        verify(source, {
          verifier,
          signaturePath: flags.signature,
          ignoreUnsignedFiles: flags.ignoreUnsignedFiles,
          strict: flags.strict === true,
          ignorePaths: hashing.ignorePaths,
          ignoreGitPaths: hashing.ignoreGitPaths,
          jobs: hashing.jobs,
          onProgress: (p) => bar.update(p),
          onSignatureVerified: (info) => {
            seen.signer = info.signer;
            seen.manifest = info.manifest;
          },
          signal,
        }),
      );
      bar.stop();
      for (const w of result.warnings)
        process.stderr.write(humanLine(`modelseal: warning: ${warningWithFlags(w)}`));
      if (json) {
        printJson({
          verified: true,
          signer: result.signer,
          root: result.manifest.root,
          files: result.files,
          warnings: [...ignoreWarnings, ...result.warnings],
          ...(result.ignored.length > 0 ? { ignored: result.ignored } : {}),
        });
      } else {
        process.stdout.write(
          humanLine(
            `verified ${model}: sha256:${result.manifest.root}, ${result.files} files, signed by ${describeSigner(result.signer)}`,
          ),
        );
      }
    } catch (e) {
      bar.stop();
      if (e instanceof Interrupted) throw e; // no verdict to print: the check did not finish
      if (json) {
        const error = jsonError(e);
        const m = seen.manifest;
        printJson({
          verified: false,
          error,
          signer: seen.signer,
          root: m ? m.root : null,
          files: m ? manifestFiles(m).length : null,
        });
      }
      throw e;
    }
  });
}
