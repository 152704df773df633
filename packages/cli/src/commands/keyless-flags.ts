// Keyless (Sigstore) flags shared by `sign` and `verify`, and their translation into core signers/verifiers.
// Placeholder until keyless support lands: the functions exist so that sign/verify can call them.
import type { Command } from 'commander';
import { ModelsealError, type BundleSigner } from '@modelseal/core';
import type { BundleVerifier } from '@modelseal/core';

export function addKeylessSignFlags(cmd: Command): Command {
  return cmd;
}

export async function keylessSignerFromFlags(_opts: Record<string, unknown>): Promise<BundleSigner> {
  throw new ModelsealError('USAGE', 'keyless signing is not available yet; pass --key');
}

export function addKeylessVerifyFlags(cmd: Command): Command {
  return cmd;
}

export async function keylessVerifierFromFlags(_opts: Record<string, unknown>): Promise<BundleVerifier> {
  throw new ModelsealError('USAGE', 'keyless verification is not available yet; pass --key or --certificate-chain');
}
