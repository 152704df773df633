import { describe, it, expect } from 'vitest';
import { mergeScopes, parseChallenge, repositoryScope } from './auth-challenge.js';

describe('parseChallenge', () => {
  it('parses a Bearer challenge with quoted params, commas and spaces inside quotes', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push repository:c:pull",error="insufficient_scope"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.example/token',
        service: 'registry.example',
        scope: 'repository:a/b:pull,push repository:c:pull',
        error: 'insufficient_scope',
      },
    });
  });
  it('parses Basic, unquoted values and escaped quotes', () => {
    expect(parseChallenge('Basic realm="my \\"realm\\""')).toEqual({
      scheme: 'basic',
      params: { realm: 'my "realm"' },
    });
    expect(parseChallenge('bearer realm=https://x/t, service=svc')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://x/t', service: 'svc' },
    });
  });
  it('returns undefined for nothing', () => {
    expect(parseChallenge(undefined)).toBeUndefined();
    expect(parseChallenge('')).toBeUndefined();
  });
});

describe('scopes', () => {
  it('builds and merges scopes into a stable sorted key', () => {
    expect(repositoryScope('ns/m', ['pull', 'push'])).toBe('repository:ns/m:pull,push');
    expect(
      mergeScopes([
        'repository:b:pull',
        'repository:a:push',
        'repository:a:pull',
        'repository:b:pull repository:c:pull',
      ]),
    ).toEqual(['repository:a:pull,push', 'repository:b:pull', 'repository:c:pull']);
  });
});
