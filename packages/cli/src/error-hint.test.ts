import { describe, expect, it } from 'vitest';
import { ModelsealError } from '@modelseal/core/hashing';
import { messageWithHint, warningWithFlags } from './error-hint.js';

describe('the CLI hint for an error with a remedy', () => {
  it('names the flag of the option core says gets past the error', () => {
    const set = new ModelsealError('DEST_EXISTS', "signature 'm/model.sig' already exists", {
      remedy: { option: 'overwrite', action: 'set', to: 'replace it' },
    });
    expect(messageWithHint(set)).toBe(
      "signature 'm/model.sig' already exists; pass --overwrite to replace it",
    );
    const change = new ModelsealError('DEST_EXISTS', "refusing to replace 'k'", {
      remedy: { option: 'signaturePath', action: 'change' },
    });
    expect(messageWithHint(change)).toBe("refusing to replace 'k'; choose another --signature");
    const issuer = new ModelsealError('USAGE', 'needs the issuer', {
      remedy: { option: 'issuer', action: 'set' },
    });
    expect(messageWithHint(issuer)).toBe(
      'needs the issuer; pass --certificate-oidc-issuer (or --certificate-oidc-issuer-regexp)',
    );
  });

  it('names the flags of the verify and hash options core errors suggest', () => {
    const tlog = new ModelsealError('TLOG_MISSING', 'model.sig: the bundle has no transparency-log entry', {
      remedy: { option: 'ignoreTlog', action: 'set', to: 'accept that' },
    });
    expect(messageWithHint(tlog)).toBe(
      'model.sig: the bundle has no transparency-log entry; pass --insecure-ignore-tlog to accept that',
    );
    const link = new ModelsealError('SYMLINK', "cannot use 'l': it is a symlink", {
      remedy: { option: 'allowSymlinks', action: 'set', to: 'hash the file it points to' },
    });
    expect(messageWithHint(link)).toBe(
      "cannot use 'l': it is a symlink; pass --allow-symlinks to hash the file it points to",
    );
  });

  it('leaves the message alone without a remedy, or for an option the CLI has no flag for', () => {
    expect(messageWithHint(new ModelsealError('USAGE', 'plain'))).toBe('plain');
    const unknown = new ModelsealError('USAGE', 'x', { remedy: { option: 'jobs', action: 'set' } });
    expect(messageWithHint(unknown)).toBe('x');
  });

  it('names the flag whose expected value a verification fact failed, without advising to change it', () => {
    const claim = new ModelsealError(
      'EXTENSION_MISMATCH',
      'GitHub workflow ref: certificate has "a", expected "b"',
      {
        remedy: { option: 'githubClaims.workflowRef', action: 'expected' },
      },
    );
    expect(messageWithHint(claim)).toBe(
      'GitHub workflow ref: certificate has "a", expected "b" (--certificate-github-workflow-ref)',
    );
    const token = new ModelsealError('MISSING_IDENTITY_TOKEN', 'no OIDC identity token', {
      remedy: { option: 'identityToken', action: 'set' },
    });
    expect(messageWithHint(token)).toBe('no OIDC identity token; pass --identity-token TOKEN');
    const build = new ModelsealError('USAGE', 'parameters belong to the ml-training buildType', {
      remedy: { option: 'buildType', action: 'set', to: 'record them' },
    });
    expect(messageWithHint(build)).toBe(
      'parameters belong to the ml-training buildType; pass --build-type ml-training to record them',
    );
  });
});

describe('core warnings printed with CLI flags', () => {
  it('prints the flag for each (option NAME) the CLI has, and leaves the rest alone', () => {
    expect(warningWithFlags('transparency-log requirement disabled (option ignoreTlog)')).toBe(
      'transparency-log requirement disabled (--insecure-ignore-tlog)',
    );
    expect(warningWithFlags('embedded SCT requirement disabled (option ignoreSct)')).toBe(
      'embedded SCT requirement disabled (--insecure-ignore-sct)',
    );
    expect(warningWithFlags('x (option jobs), y (option ignoreTlog)')).toBe(
      'x (option jobs), y (--insecure-ignore-tlog)',
    );
    expect(warningWithFlags('no option here')).toBe('no option here');
  });
});
