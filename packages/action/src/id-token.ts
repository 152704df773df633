// The job's OIDC token, as the runner hands it to actions that ask (`permissions: id-token: write`).
// Without that permission the runner sets no ACTIONS_ID_TOKEN_REQUEST_*: say which line to add.
import * as core from '@actions/core';
import { ModelsealError } from '@modelseal/core';

/** The one message for a job without `id-token: write`. */
export const MISSING_ID_TOKEN_PERMISSION =
  "this job cannot get an OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set): add the line 'id-token: write' under 'permissions:' in the workflow or job that runs this step";

/** True when the runner offers an OIDC token to this job. */
export function hasIdTokenPermission(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
}

/** Fails with MISSING_IDENTITY_TOKEN and the permission line to add when there is no token to get. */
export function requireIdTokenPermission(why: string): void {
  if (!hasIdTokenPermission())
    throw new ModelsealError('MISSING_IDENTITY_TOKEN', `${why}: ${MISSING_ID_TOKEN_PERMISSION}`);
}

/** Gets the job's OIDC token for `audience` (masked in the log by @actions/core). Throws MISSING_IDENTITY_TOKEN. */
export async function jobIdToken(audience: string, why: string): Promise<string> {
  requireIdTokenPermission(why);
  try {
    return await core.getIDToken(audience);
  } catch (e) {
    throw new ModelsealError(
      'MISSING_IDENTITY_TOKEN',
      `${why}: the runner's token service refused an OIDC token for audience '${audience}' (${e instanceof Error ? e.message : String(e)})`,
    );
  }
}
