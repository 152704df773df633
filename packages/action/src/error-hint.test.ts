import { describe, expect, it } from 'vitest';
import { ModelsealError } from '@modelseal/core';
import { messageWithInputHint } from './error-hint.js';

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
});
