// The files a policy decision leaves behind, for `verify --policy` and `pull --policy` alike: the
// result JSON (--result) and a SLSA Verification Summary Attestation (--vsa), signed with --vsa-key.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keySigner } from '@modelseal/core';
import { loadPrivateKeyFile } from '@modelseal/core/keys';
import { IN_TOTO_PAYLOAD_TYPE, serializeBundle } from '@modelseal/core/oms';
import { buildVsa, type PolicyResult } from '@modelseal/core/policy';

/** The parsed --result, --vsa and --vsa-key flags. */
export interface PolicyOutputFlags {
  result?: string;
  vsa?: string;
  vsaKey?: string;
}

/** Write `--result` and `--vsa` (signed when `--vsa-key` is given); parent folders are created. */
export async function writePolicyOutputs(
  result: PolicyResult,
  flags: PolicyOutputFlags,
  subject: { resourceUri: string; digests: string[] },
): Promise<void> {
  if (typeof flags.result === 'string') {
    await mkdir(path.dirname(path.resolve(flags.result)), { recursive: true });
    await writeFile(flags.result, `${JSON.stringify(result, null, 2)}\n`);
  }
  if (typeof flags.vsa === 'string') {
    const payload = Buffer.from(JSON.stringify(buildVsa(result, subject)));
    const out =
      typeof flags.vsaKey === 'string'
        ? serializeBundle(
            await keySigner({ privateKey: await loadPrivateKeyFile(flags.vsaKey) }).signStatement(
              payload,
              IN_TOTO_PAYLOAD_TYPE,
            ),
          )
        : payload;
    await mkdir(path.dirname(path.resolve(flags.vsa)), { recursive: true });
    await writeFile(flags.vsa, out);
  }
}
