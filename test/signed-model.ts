// What the "signed model on a test registry" tests share: where the built CLI and the sample model
// are. The policy pinning identities to public keys made in the test is keysPolicyYaml in
// policy/key-policy.ts; each test keeps its own `require` block (what it demands is what it tests).
import path from 'node:path';
import { BIN, REPO } from './hardening/cli-process.js';

export { BIN, REPO };

/** The sample model the tests push, sign and pull (fixtures/models/sample-model). */
export const SAMPLE = path.join(REPO, 'fixtures/models/sample-model');
