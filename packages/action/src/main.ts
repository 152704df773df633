// Entry point of the modelseal GitHub Action (action.yml runs dist/index.js, bundled from this file
// by scripts/bundle/build.mjs): `mode: sign` (default) or `mode: verify`. Any failure fails the step with
// one `::error` annotation carrying the error code, and exit code 1.
import * as core from '@actions/core';
import { readMode } from './inputs.js';
import { reportFailure } from './failure.js';
import { runSign } from './sign-mode.js';
import { runVerify } from './verify-mode.js';

try {
  if (readMode() === 'sign') await runSign();
  else await runVerify();
} catch (e) {
  await reportFailure(e, {
    modelPath: core.getInput('model-path') || undefined,
    signaturePath: core.getInput('signature-path') || undefined,
  });
}
