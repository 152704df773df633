// How a failed step reports: one `::error` annotation with the error code (on the file at fault when
// there is one), the same line in the job summary, and exit code 1. Messages never hold secrets:
// core's errors never carry key bytes, passwords or tokens, and @actions/core masks what was set secret.
import path from 'node:path';
import * as core from '@actions/core';
import { isModelsealError } from '@modelseal/core';

/** The first file a mismatch names (ModelMismatchError details), relative to the workspace. */
function faultyFile(e: unknown, modelPath: string | undefined): string | undefined {
  if (!modelPath || !isModelsealError(e)) return undefined;
  if (e.kind !== 'verification' && e.code !== 'NOT_FOUND' && e.code !== 'EMPTY_MODEL') return undefined;
  const details = e.details;
  const named = ['changed', 'missing', 'extra']
    .map((k) => details?.[k])
    .find((v): v is string[] => Array.isArray(v) && typeof v[0] === 'string');
  const abs = path.resolve(named ? path.join(modelPath, named[0]) : modelPath);
  return path.relative(process.env.GITHUB_WORKSPACE ?? process.cwd(), abs) || '.';
}

/** `error[CODE]: message`, as the CLI prints it. */
export function describeFailure(e: unknown): string {
  if (isModelsealError(e)) return `error[${e.code}]: ${e.message}`;
  return `error[INTERNAL]: ${e instanceof Error ? e.message : String(e)}`;
}

/** Fails the step: annotation (with file), summary line, exit code 1. */
export async function reportFailure(e: unknown, modelPath: string | undefined): Promise<void> {
  const line = describeFailure(e);
  const code = isModelsealError(e) ? e.code : 'INTERNAL';
  core.error(line, { title: `modelseal ${code}`, file: faultyFile(e, modelPath) });
  process.exitCode = 1;
  try {
    await core.summary.addHeading('modelseal: failed', 3).addCodeBlock(line).write();
  } catch {
    // no GITHUB_STEP_SUMMARY (not on a runner): the annotation is enough
  }
}
