// The Action's inputs, read the way the runner passes them (INPUT_<NAME> through @actions/core) and
// checked into typed settings for each mode. A bad value is a USAGE error naming the input.
import * as core from '@actions/core';
import { ModelsealError } from '@modelseal/core';

/** What the step does: sign (and push/attest) a model, or verify one. */
export type Mode = 'sign' | 'verify';

/** Registry credentials given as inputs (else the Docker config a login step wrote is used). */
export interface RegistryInputs {
  username?: string;
  password?: string;
}

/** Inputs of `mode: sign`. */
export interface SignInputs {
  modelPath: string;
  registryRef?: string;
  signaturePath?: string;
  /** Replace an existing signature (else DEST_EXISTS). Default false. */
  overwrite: boolean;
  /** A private key: a path, or the PEM text itself. Absent: keyless with the job's OIDC token. */
  key?: string;
  keyPassword?: string;
  provenance: boolean;
  sbom: boolean;
  datasets: string[];
  baseModels: string[];
  ignorePaths: string[];
  /** Follow symlinks inside the model (recorded in the signature). Default false. */
  allowSymlinks: boolean;
  githubAttestations: boolean;
  githubToken?: string;
  signingConfig?: string;
  trustedRoot?: string;
  registry: RegistryInputs;
}

/** Inputs of `mode: verify`. */
export interface VerifyInputs {
  modelPath?: string;
  registryRef?: string;
  signaturePath?: string;
  policy?: string;
  /** A public key: a path, or the PEM text itself. */
  publicKey?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot?: string;
  /** Accept files the signature does not list (model-path only). Default false. */
  ignoreUnsignedFiles: boolean;
  /** Keyless only: do not require a transparency-log entry (a warning is logged). Default false. */
  ignoreTlog: boolean;
  dest?: string;
  registry: RegistryInputs;
}

const optional = (name: string): string | undefined => core.getInput(name) || undefined;

function bool(name: string, fallback: boolean): boolean {
  const v = core.getInput(name);
  if (v === '') return fallback;
  if (/^(true|True|TRUE)$/.test(v)) return true;
  if (/^(false|False|FALSE)$/.test(v)) return false;
  throw new ModelsealError('USAGE', `input '${name}' must be true or false, not '${v}'`);
}

const lines = (name: string): string[] =>
  core
    .getMultilineInput(name)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

function registry(): RegistryInputs {
  const username = optional('registry-username');
  const password = optional('registry-password');
  if (password) core.setSecret(password);
  if (Boolean(username) !== Boolean(password))
    throw new ModelsealError('USAGE', "inputs 'registry-username' and 'registry-password' go together");
  return { username, password };
}

/** The `mode` input: sign (default) or verify. */
export function readMode(): Mode {
  const mode = core.getInput('mode') || 'sign';
  if (mode !== 'sign' && mode !== 'verify')
    throw new ModelsealError('USAGE', `input 'mode' must be 'sign' or 'verify', not '${mode}'`);
  return mode;
}

/** Reads and checks the inputs of `mode: sign`. Throws USAGE. */
export function readSignInputs(): SignInputs {
  const modelPath = optional('model-path');
  if (!modelPath) throw new ModelsealError('USAGE', "mode 'sign' needs the input 'model-path'");
  const key = optional('key');
  const keyPassword = optional('key-password');
  if (keyPassword) core.setSecret(keyPassword);
  const githubToken = optional('github-token');
  if (githubToken) core.setSecret(githubToken);
  const inputs: SignInputs = {
    modelPath,
    registryRef: optional('registry-ref'),
    signaturePath: optional('signature-path'),
    overwrite: bool('overwrite', false),
    key,
    keyPassword,
    provenance: bool('provenance', true),
    sbom: bool('sbom', true),
    datasets: lines('dataset'),
    baseModels: lines('base-model'),
    ignorePaths: lines('ignore-paths'),
    allowSymlinks: bool('allow-symlinks', false),
    githubAttestations: bool('github-attestations', false),
    githubToken,
    signingConfig: optional('signing-config'),
    trustedRoot: optional('trusted-root'),
    registry: registry(),
  };
  if (inputs.githubAttestations && !inputs.provenance)
    throw new ModelsealError(
      'USAGE',
      "input 'github-attestations: true' stores the provenance: it needs 'provenance: true'",
    );
  if (inputs.githubAttestations && !inputs.registryRef)
    throw new ModelsealError(
      'USAGE',
      "input 'github-attestations: true' needs 'registry-ref': GitHub's attestation store indexes the pushed manifest digest (gh attestation verify oci://REF)",
    );
  if (inputs.githubAttestations && inputs.key)
    throw new ModelsealError(
      'USAGE',
      "input 'github-attestations: true' cannot store a signature made with 'key': `gh attestation verify` accepts only certificates issued by Fulcio (public-good Sigstore or GitHub's), so a key-signed bundle in GitHub's attestation store would never verify. Sign keyless (drop 'key') or set 'github-attestations: false'; the provenance is still attached to the artifact as a referrer",
    );
  if (inputs.githubAttestations && !inputs.githubToken)
    throw new ModelsealError(
      'USAGE',
      "input 'github-attestations: true' needs 'github-token' (default: the job's token)",
    );
  return inputs;
}

/** Reads and checks the inputs of `mode: verify`. Throws USAGE. */
export function readVerifyInputs(): VerifyInputs {
  const inputs: VerifyInputs = {
    modelPath: optional('model-path'),
    registryRef: optional('registry-ref'),
    signaturePath: optional('signature-path'),
    policy: optional('policy'),
    publicKey: optional('public-key'),
    certificateIdentity: optional('certificate-identity'),
    certificateIdentityRegexp: optional('certificate-identity-regexp'),
    certificateOidcIssuer: optional('certificate-oidc-issuer'),
    certificateOidcIssuerRegexp: optional('certificate-oidc-issuer-regexp'),
    trustedRoot: optional('trusted-root'),
    ignoreUnsignedFiles: bool('ignore-unsigned-files', false),
    ignoreTlog: bool('insecure-ignore-tlog', false),
    dest: optional('dest'),
    registry: registry(),
  };
  if (Boolean(inputs.modelPath) === Boolean(inputs.registryRef))
    throw new ModelsealError(
      'USAGE',
      "mode 'verify' needs exactly one of the inputs 'model-path' and 'registry-ref'",
    );
  if (inputs.dest && !inputs.registryRef)
    throw new ModelsealError('USAGE', "input 'dest' (pull and verify) needs 'registry-ref'");
  if (inputs.ignoreUnsignedFiles && !inputs.modelPath)
    throw new ModelsealError('USAGE', "input 'ignore-unsigned-files: true' needs 'model-path'");
  const identity =
    inputs.certificateIdentity ||
    inputs.certificateIdentityRegexp ||
    inputs.certificateOidcIssuer ||
    inputs.certificateOidcIssuerRegexp;
  const ways = [inputs.policy, inputs.publicKey, identity].filter(Boolean).length;
  if (ways !== 1)
    throw new ModelsealError(
      'USAGE',
      "mode 'verify' needs exactly one way to say whom to trust: 'policy', 'public-key', or 'certificate-identity' (or -regexp) with 'certificate-oidc-issuer' (or -regexp)",
    );
  if (inputs.ignoreTlog && !identity)
    throw new ModelsealError(
      'USAGE',
      "input 'insecure-ignore-tlog: true' is for keyless verification ('certificate-identity' with 'certificate-oidc-issuer'); 'public-key' and 'policy' do not take it",
    );
  if (inputs.ignoreUnsignedFiles && inputs.policy)
    throw new ModelsealError(
      'USAGE',
      "input 'ignore-unsigned-files: true' does not apply with 'policy': the policy decides which files must be signed",
    );
  return inputs;
}
