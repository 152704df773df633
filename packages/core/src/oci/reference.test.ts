import { describe, expect, it } from 'vitest';
import { formatReference, isLoopbackRegistry, parseReference, referenceSelector } from './reference.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('parseReference', () => {
  it('parses registry references with port, namespaces, tag and digest', () => {
    expect(parseReference('127.0.0.1:5000/ns/model:v1')).toEqual({
      kind: 'registry',
      registry: '127.0.0.1:5000',
      repository: 'ns/model',
      tag: 'v1',
    });
    expect(parseReference(`registry.example.com/a/b/c@${D}`)).toEqual({
      kind: 'registry',
      registry: 'registry.example.com',
      repository: 'a/b/c',
      digest: D,
    });
    expect(parseReference(`localhost:5000/m:t@${D}`)).toEqual({
      kind: 'registry',
      registry: 'localhost:5000',
      repository: 'm',
      tag: 't',
      digest: D,
    });
    expect(parseReference('[::1]:5000/m')).toEqual({
      kind: 'registry',
      registry: '[::1]:5000',
      repository: 'm',
    });
  });

  it('refuses short names (no implicit Docker Hub) and suggests the full reference', () => {
    const hub = 'no registry host (modelseal never assumes Docker Hub); write the full reference, e.g.';
    expect(() => parseReference('ns/model:v1')).toThrow(
      `invalid reference 'ns/model:v1': ${hub} docker.io/ns/model:v1 or localhost:5000/ns/model:v1`,
    );
    expect(() => parseReference('model')).toThrow(
      `invalid reference 'model': ${hub} docker.io/library/model or localhost:5000/model`,
    );
    expect(() => parseReference(`x:v1@${D}`)).toThrow(
      `invalid reference 'x:v1@${D}': ${hub} docker.io/library/x:v1@${D} or localhost:5000/x:v1@${D}`,
    );
    expect(() => parseReference('127.0.0.1:5055')).toThrow(
      "invalid reference '127.0.0.1:5055': '127.0.0.1:5055' is a registry without a repository; write 127.0.0.1:5055/REPOSITORY[:TAG]",
    );
    expect(() => parseReference('localhost:5000')).toThrow(
      "'localhost:5000' is a registry without a repository; write localhost:5000/REPOSITORY[:TAG]",
    );
    expect(() => parseReference('registry.example.com')).toThrow(
      'write registry.example.com/REPOSITORY[:TAG]',
    );
  });

  it('normalises explicit Docker Hub references', () => {
    expect(parseReference('docker.io/ns/model:v1')).toEqual({
      kind: 'registry',
      registry: 'registry-1.docker.io',
      repository: 'ns/model',
      tag: 'v1',
    });
    expect(parseReference('docker.io/model:1')).toMatchObject({
      registry: 'registry-1.docker.io',
      repository: 'library/model',
    });
  });

  it('parses oci: layout references', () => {
    expect(parseReference('oci:/tmp/layout:v1')).toEqual({ kind: 'layout', path: '/tmp/layout', tag: 'v1' });
    expect(parseReference('oci:./rel/dir')).toEqual({ kind: 'layout', path: './rel/dir' });
    expect(parseReference(`oci:dir@${D}`)).toEqual({ kind: 'layout', path: 'dir', digest: D });
    expect(parseReference('oci:/a:b/c:t')).toEqual({ kind: 'layout', path: '/a:b/c', tag: 't' });
  });

  it.each([
    ['', /empty/],
    ['https://r.io/m:v1', /drop the URL scheme/],
    ['r.io/Model:v1', /repository 'Model' must be lowercase/],
    ['r.io/m:bad tag', /whitespace/],
    ['r.io/m:-x', /tag '-x' must match/],
    ['r.io/m@sha256:ABC', /is not a sha256 digest/],
    ['r.io/m@md5:abcd', /is not a sha256 digest/],
    ['r.io/', /missing repository/],
    ['oci:', /missing layout directory/],
    ['oci::v1', /missing layout directory/],
    ['bad_host.io:99999x/m', /not a valid registry host/],
  ])('rejects %j', (ref, why) => {
    expect(() => parseReference(ref)).toThrow(why);
    try {
      parseReference(ref);
    } catch (e) {
      expect((e as { code: string }).code).toBe('BAD_REFERENCE');
    }
  });

  it('selects digest over tag over latest and formats back', () => {
    expect(referenceSelector(parseReference(`r.io/m:t@${D}`))).toBe(D);
    expect(referenceSelector(parseReference('r.io/m:t'))).toBe('t');
    expect(referenceSelector(parseReference('r.io/m'))).toBe('latest');
    expect(formatReference(parseReference('r.io/m:t'), D)).toBe(`r.io/m:t@${D}`);
    expect(formatReference(parseReference('oci:/x'))).toBe('oci:/x');
  });

  it('treats only loopback registries as plain-HTTP by default', () => {
    expect(isLoopbackRegistry('localhost:5000')).toBe(true);
    expect(isLoopbackRegistry('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackRegistry('[::1]:5000')).toBe(true);
    expect(isLoopbackRegistry('registry.example.com')).toBe(false);
    expect(isLoopbackRegistry('127.0.0.1.evil.com')).toBe(false);
  });
});
