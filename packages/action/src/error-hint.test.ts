import { describe, expect, it } from 'vitest';
import { ModelsealError } from '@modelseal/core';
import { messageWithInputHint, warningWithInputs } from './error-hint.js';

describe("the Action's hint for an error with a remedy", () => {
  it('names Action inputs, never CLI flags', () => {
    const exists = new ModelsealError('DEST_EXISTS', "signature 'm/model.sig' already exists", {
      remedy: { option: 'overwrite', action: 'set', to: 'replace it' },
    });
    expect(messageWithInputHint(exists)).toBe(
      "signature 'm/model.sig' already exists; set the input 'overwrite: true' to replace it",
    );
    const change = new ModelsealError('DEST_EXISTS', "refusing to replace 'k'", {
      remedy: { option: 'signaturePath', action: 'change' },
    });
    expect(messageWithInputHint(change)).toBe("refusing to replace 'k'; choose another 'signature-path'");
    const key = new ModelsealError('USAGE', 'signed with a public key', {
      remedy: { option: 'publicKey', action: 'set', to: 'verify it with the key' },
    });
    expect(messageWithInputHint(key)).toBe(
      "signed with a public key; set the input 'public-key' to verify it with the key",
    );
  });

  it('leaves the message alone without a remedy, or for an option with no input', () => {
    expect(messageWithInputHint(new ModelsealError('USAGE', 'plain'))).toBe('plain');
    expect(
      messageWithInputHint(new ModelsealError('USAGE', 'x', { remedy: { option: 'jobs', action: 'set' } })),
    ).toBe('x');
  });

  it('names the inputs of the verify options core errors suggest', () => {
    const tlog = new ModelsealError('TLOG_MISSING', 'model.sig: the bundle has no transparency-log entry', {
      remedy: { option: 'ignoreTlog', action: 'set', to: 'accept that' },
    });
    expect(messageWithInputHint(tlog)).toBe(
      "model.sig: the bundle has no transparency-log entry; set the input 'insecure-ignore-tlog: true' to accept that",
    );
    const link = new ModelsealError('SYMLINK', "cannot use 'l': it is a symlink", {
      remedy: { option: 'allowSymlinks', action: 'set', to: 'hash the file it points to' },
    });
    expect(messageWithInputHint(link)).toBe(
      "cannot use 'l': it is a symlink; set the input 'allow-symlinks: true' to hash the file it points to",
    );
    const extra = new ModelsealError('EXTRA_FILE', "'x' is not signed", {
      remedy: { option: 'ignoreUnsignedFiles', action: 'set', to: 'skip it' },
    });
    expect(messageWithInputHint(extra)).toBe(
      "'x' is not signed; set the input 'ignore-unsigned-files: true' to skip it",
    );
    // a verification fact about a GitHub claim: the Action has no such input, the message stays as is
    const claim = new ModelsealError('EXTENSION_MISMATCH', 'GitHub workflow ref: certificate has "a"', {
      remedy: { option: 'githubClaims.workflowRef', action: 'expected' },
    });
    expect(messageWithInputHint(claim)).toBe('GitHub workflow ref: certificate has "a"');
  });

  it('prints core warnings with the input for each (option NAME) the Action has', () => {
    expect(warningWithInputs('transparency-log requirement disabled (option ignoreTlog)')).toBe(
      "transparency-log requirement disabled (the input 'insecure-ignore-tlog: true')",
    );
    expect(warningWithInputs('embedded SCT requirement disabled (option ignoreSct)')).toBe(
      'embedded SCT requirement disabled (option ignoreSct)',
    );
  });
});
