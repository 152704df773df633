// ociPurl: the purl spec's `oci` examples' shape for a registry reference (tag and digest forms) and an
// OCI layout (no repository_url, no local path), round-tripped through packageurl-js's parser.
import { PackageURL } from 'packageurl-js';
import { describe, expect, it } from 'vitest';
import { parseReference } from '../oci/reference.js';
import { ociPurl } from './oci-purl.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('ociPurl', () => {
  it('a registry reference with a tag: name, digest as version, repository_url and tag qualifiers', () => {
    const purl = ociPurl(parseReference('127.0.0.1:5000/models/tiny-llama:v1'), 'tiny-llama', DIGEST);
    expect(purl).toBe(
      `pkg:oci/tiny-llama@${DIGEST}?repository_url=127.0.0.1%3A5000%2Fmodels%2Ftiny-llama&tag=v1`,
    );
    const parsed = PackageURL.fromString(purl);
    expect([parsed.type, parsed.name, parsed.version, parsed.qualifiers]).toEqual([
      'oci',
      'tiny-llama',
      DIGEST,
      { repository_url: '127.0.0.1:5000/models/tiny-llama', tag: 'v1' },
    ]);
  });

  it('a reference by digest has no tag qualifier', () => {
    expect(ociPurl(parseReference(`ghcr.io/acme/m@${DIGEST}`), 'm', DIGEST)).toBe(
      `pkg:oci/m@${DIGEST}?repository_url=ghcr.io%2Facme%2Fm`,
    );
  });

  it('an OCI layout carries no repository_url and no path; the name is lowercased as the spec says', () => {
    const purl = ociPurl(parseReference('oci:/home/me/layouts/Model:v2'), 'Model', DIGEST);
    expect(purl).toBe(`pkg:oci/model@${DIGEST}?tag=v2`);
  });
});
