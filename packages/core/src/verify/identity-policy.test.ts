// The keyless identity policy: anchored patterns, both identity and issuer required, GitHub claims.
import { describe, expect, it } from 'vitest';
import { identityPolicy, anchoredRegExp } from './identity-policy.js';
import type { FulcioIdentity } from './fulcio-extensions.js';

const signer = (
  identity: string,
  issuer = 'https://issuer.test',
  extensions: FulcioIdentity['extensions'] = {},
): FulcioIdentity => ({
  identity,
  issuer,
  extensions: { issuer, ...extensions },
});
const codeOf = (f: () => void) => {
  try {
    f();
    return 'PASSED';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('identityPolicy', () => {
  it('anchors every regexp: no prefix, suffix or alternation escapes', () => {
    const p = identityPolicy({ identityRegExp: 'dev@example\\.test', issuer: 'https://issuer.test' });
    expect(codeOf(() => p.check(signer('dev@example.test')))).toBe('PASSED');
    expect(codeOf(() => p.check(signer('xdev@example.test.evil')))).toBe('IDENTITY_MISMATCH');
    expect(codeOf(() => p.check(signer('dev@example.test.evil')))).toBe('IDENTITY_MISMATCH');
    const alt = identityPolicy({
      identityRegExp: 'a@x\\.test|b@x\\.test',
      issuerRegExp: 'https://issuer\\.test',
    });
    expect(codeOf(() => alt.check(signer('b@x.test')))).toBe('PASSED');
    expect(codeOf(() => alt.check(signer('evil-b@x.test')))).toBe('IDENTITY_MISMATCH'); // naive ^a|b$ would pass
    expect(codeOf(() => alt.check(signer('a@x.test-evil')))).toBe('IDENTITY_MISMATCH');
    expect(codeOf(() => alt.check(signer('a@x.test', 'https://issuer.test.evil')))).toBe('ISSUER_MISMATCH');
    expect(anchoredRegExp('a|b', 'x').source).toBe('^(?:a|b)$');
    // Wrapped without compiling alone first, this became ^(?:a)|(.*)$ and matched every signer.
    expect(codeOf(() => anchoredRegExp('a)|(.*', 'certificate identity'))).toBe('USAGE');
  });

  it('compiles the user pattern alone first: text cannot break out of the anchoring group', () => {
    expect(() => identityPolicy({ identityRegExp: 'nobody)|(?:.*', issuer: 'https://issuer.test' })).toThrow(
      'invalid certificate identity regular expression "nobody)|(?:.*"',
    );
    expect(codeOf(() => identityPolicy({ identityRegExp: 'a)|(b', issuer: 'i' }))).toBe('USAGE');
    expect(codeOf(() => identityPolicy({ identity: 'a', issuerRegExp: '.*)|(.*' }))).toBe('USAGE');
    const alt = identityPolicy({ identityRegExp: '(a)|(b)', issuer: 'https://issuer.test' });
    expect(codeOf(() => alt.check(signer('b')))).toBe('PASSED');
    expect(codeOf(() => alt.check(signer('ab')))).toBe('IDENTITY_MISMATCH');
    expect(codeOf(() => alt.check(signer('evil')))).toBe('IDENTITY_MISMATCH');
    expect(anchoredRegExp('(a)|(b)', 'x').source).toBe('^(?:(a)|(b))$');
  });

  it('compares exact values exactly', () => {
    const p = identityPolicy({ identity: 'dev@example.test', issuer: 'https://issuer.test' });
    expect(codeOf(() => p.check(signer('Dev@example.test')))).toBe('IDENTITY_MISMATCH');
    expect(codeOf(() => p.check(signer('dev@example.test', 'https://issuer.test/')))).toBe('ISSUER_MISMATCH');
    expect(codeOf(() => p.check({ identity: 'dev@example.test', issuer: undefined, extensions: {} }))).toBe(
      'ISSUER_MISMATCH',
    );
    expect(() => p.check(signer('other@example.test'))).toThrow(
      'certificate identity "other@example.test" does not match the expected "dev@example.test"',
    );
  });

  it('requires an identity and an issuer, one form each, and valid patterns', () => {
    expect(codeOf(() => identityPolicy({ issuer: 'https://issuer.test' }))).toBe('USAGE');
    expect(codeOf(() => identityPolicy({ identity: 'a' }))).toBe('USAGE');
    expect(codeOf(() => identityPolicy({ identity: 'a', identityRegExp: 'a', issuer: 'i' }))).toBe('USAGE');
    expect(() => identityPolicy({ identityRegExp: '(', issuer: 'i' })).toThrow(
      /invalid certificate identity regular expression "\("/,
    );
  });

  it('checks GitHub claims against both the legacy and the current extension', () => {
    const gh = signer(
      'https://github.com/octo/model/.github/workflows/release.yml@refs/heads/main',
      'https://token.actions.githubusercontent.com',
      {
        githubWorkflowRepository: 'octo/model',
        sourceRepositoryURI: 'https://github.com/octo/model',
        githubWorkflowRef: 'refs/heads/main',
        sourceRepositoryRef: 'refs/heads/main',
      },
    );
    const policy = (githubClaims: Record<string, string>) =>
      identityPolicy({
        identityRegExp: '.*',
        issuer: 'https://token.actions.githubusercontent.com',
        githubClaims,
      });
    expect(
      codeOf(() => policy({ workflowRepository: 'octo/model', workflowRef: 'refs/heads/main' }).check(gh)),
    ).toBe('PASSED');
    expect(codeOf(() => policy({ workflowRepository: 'octo/mode' }).check(gh))).toBe('EXTENSION_MISMATCH');
    expect(() => policy({ workflowTrigger: 'push' }).check(gh)).toThrow(
      'GitHub workflow trigger: certificate has no such extension, expected "push"',
    );
    // a certificate whose legacy and current values disagree never passes
    const split = { ...gh, extensions: { ...gh.extensions, sourceRepositoryRef: 'refs/heads/evil' } };
    expect(codeOf(() => policy({ workflowRef: 'refs/heads/main' }).check(split))).toBe('EXTENSION_MISMATCH');
    expect(codeOf(() => policy({ workflowRef: 'refs/heads/evil' }).check(split))).toBe('EXTENSION_MISMATCH');
  });

  it('compares the .12 repository URI against the GitHub server URL, never host-less', () => {
    const on = (uri: string) =>
      signer(
        'https://x/.github/workflows/a.yml@refs/heads/main',
        'https://token.actions.githubusercontent.com',
        {
          sourceRepositoryURI: uri,
        },
      );
    const policy = (githubClaims: Record<string, string>) =>
      identityPolicy({
        identityRegExp: '.*',
        issuer: 'https://token.actions.githubusercontent.com',
        githubClaims,
      });
    const repo = { workflowRepository: 'octo/model' };
    expect(codeOf(() => policy(repo).check(on('https://github.com/octo/model')))).toBe('PASSED');
    expect(() => policy(repo).check(on('https://gitlab.com/octo/model'))).toThrow(
      'GitHub workflow repository: certificate has "https://gitlab.com/octo/model", expected "octo/model"',
    );
    expect(codeOf(() => policy(repo).check(on('http://github.com/octo/model')))).toBe('EXTENSION_MISMATCH');
    const ghes = { ...repo, serverUrl: 'https://ghes.example.test' };
    expect(codeOf(() => policy(ghes).check(on('https://ghes.example.test/octo/model')))).toBe('PASSED');
    expect(codeOf(() => policy(ghes).check(on('https://github.com/octo/model')))).toBe('EXTENSION_MISMATCH');
    expect(codeOf(() => policy({ ...repo, serverUrl: 'ghes.example.test' }))).toBe('USAGE');
    expect(codeOf(() => policy({ ...repo, serverUrl: 'https://ghes.example.test/path' }))).toBe('USAGE');
  });
  it('a certificate without an identity or issuer never matches, not even a pattern matching "undefined"', () => {
    const p = identityPolicy({ identityRegExp: 'undefined', issuerRegExp: 'undefined' });
    expect(codeOf(() => p.check(signer('undefined', 'undefined')))).toBe('PASSED');
    expect(() => p.check({ identity: undefined, issuer: 'undefined', extensions: {} })).toThrow(
      'certificate identity "" does not match the expected /^(?:undefined)$/',
    );
    let err: unknown;
    try {
      p.check({ identity: 'undefined', issuer: undefined, extensions: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'ISSUER_MISMATCH',
      message: 'certificate OIDC issuer "" does not match the expected /^(?:undefined)$/',
      details: { expected: '/^(?:undefined)$/', actual: undefined },
    });
  });

  it('names the expected and actual values in the error details and in its description', () => {
    const p = identityPolicy({ identity: 'dev@example.test', issuerRegExp: 'https://issuer\\.test' });
    expect(p.description).toBe('identity "dev@example.test", issuer /^(?:https:\\/\\/issuer\\.test)$/');
    let err: unknown;
    try {
      p.check(signer('other@example.test'));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'IDENTITY_MISMATCH',
      details: { expected: '"dev@example.test"', actual: 'other@example.test' },
    });
    const gh = identityPolicy({
      identity: 'dev@example.test',
      issuer: 'https://issuer.test',
      githubClaims: { workflowName: 'release' },
    });
    try {
      gh.check(signer('dev@example.test', 'https://issuer.test', { githubWorkflowName: 'evil' }));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'EXTENSION_MISMATCH',
      message: 'GitHub workflow name: certificate has "evil", expected "release"',
      details: { claim: 'workflowName', expected: 'release', actual: ['evil'] },
      remedy: { option: 'githubClaims.workflowName', action: 'expected' },
    });
  });

  it('an empty or absent GitHub server URL means https://github.com; anything but an https origin is USAGE', () => {
    const policy = (serverUrl?: string) =>
      identityPolicy({
        identityRegExp: '.*',
        issuer: 'https://token.actions.githubusercontent.com',
        githubClaims: { workflowRepository: 'octo/model', serverUrl },
      });
    const on = signer('x', 'https://token.actions.githubusercontent.com', {
      sourceRepositoryURI: 'https://github.com/octo/model',
    });
    expect(codeOf(() => policy('').check(on))).toBe('PASSED');
    expect(codeOf(() => policy(undefined).check(on))).toBe('PASSED');
    expect(codeOf(() => policy('https://github.com/').check(on))).toBe('PASSED');
    for (const bad of ['not a url', 'http://github.com', 'https://github.com/x']) {
      expect(() => policy(bad)).toThrow(
        `GitHub server URL must be an https origin such as https://github.example.com, got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('a workflow trigger is checked against .2 and .20', () => {
    const p = identityPolicy({
      identity: 'x',
      issuer: 'https://issuer.test',
      githubClaims: { workflowTrigger: 'push' },
    });
    const on = (extensions: FulcioIdentity['extensions']) => signer('x', 'https://issuer.test', extensions);
    expect(codeOf(() => p.check(on({ githubWorkflowTrigger: 'push', buildTrigger: 'push' })))).toBe('PASSED');
    expect(codeOf(() => p.check(on({ buildTrigger: 'push' })))).toBe('PASSED');
    expect(codeOf(() => p.check(on({ buildTrigger: 'workflow_dispatch' })))).toBe('EXTENSION_MISMATCH');
    expect(codeOf(() => p.check(on({ githubWorkflowTrigger: 'pull_request' })))).toBe('EXTENSION_MISMATCH');
    expect(() => p.check(on({}))).toThrow(
      'GitHub workflow trigger: certificate has no such extension, expected "push"',
    );
  });
});
