// How a failed step reports: one `::error` annotation with the error code (on the file at fault when
// there is one), the same line in the job summary, and exit code 1. Messages never hold secrets:
// core's errors never carry key bytes, passwords or tokens, and @actions/core masks what was set secret.
import path from 'node:path';
import * as core from '@actions/core';
import { isModelsealError, isSignatureFault } from '@modelseal/core';
import { defaultSignaturePath } from '@modelseal/core/oms';
import { messageWithInputHint } from './error-hint.js';

/** Where a failed step's model and signature are (the `model-path` and `signature-path` inputs). */
export interface FailureSite {
  modelPath?: string;
  signaturePath?: string;
}

/**
 * The file at fault, relative to the workspace: the signature (given, or the default MODEL/model.sig)
 * for a signature failure, else the first file a mismatch names (ModelMismatchError details), else
 * the model.
 */
async function faultyFile(e: unknown, site: FailureSite): Promise<string | undefined> {
  const { modelPath } = site;
  if (!modelPath || !isModelsealError(e)) return undefined;
  if (
    e.kind !== 'verification' &&
    e.code !== 'NOT_FOUND' &&
    e.code !== 'EMPTY_MODEL' &&
    e.code !== 'MALFORMED_BUNDLE'
  )
    return undefined;
  let abs: string;
  if (isSignatureFault(e.code)) {
    abs = path.resolve(site.signaturePath ?? (await defaultSignaturePath(modelPath).catch(() => modelPath)));
  } else {
    const details = e.details;
    const named = ['changed', 'missing', 'extra']
      .map((k) => details?.[k])
      .find((v): v is string[] => Array.isArray(v) && typeof v[0] === 'string');
    abs = path.resolve(named ? path.join(modelPath, named[0]) : modelPath);
  }
  return path.relative(process.env.GITHUB_WORKSPACE ?? process.cwd(), abs) || '.';
}

/** `error[CODE]: message`, as the CLI prints it, with the hint naming Action inputs. */
export function describeFailure(e: unknown): string {
  if (isModelsealError(e)) return `error[${e.code}]: ${messageWithInputHint(e)}`;
  return `error[INTERNAL]: ${e instanceof Error ? e.message : String(e)}`;
}

/** Fails the step: annotation (on the file at fault), summary line, exit code 1. */
export async function reportFailure(e: unknown, site: FailureSite): Promise<void> {
  const line = describeFailure(e);
  const code = isModelsealError(e) ? e.code : 'INTERNAL';
  core.error(line, { title: `modelseal ${code}`, file: await faultyFile(e, site) });
  process.exitCode = 1;
  try {
    await core.summary.addHeading('modelseal: failed', 3).addCodeBlock(line).write();
  } catch {
    // no GITHUB_STEP_SUMMARY (not on a runner): the annotation is enough
  }
}
